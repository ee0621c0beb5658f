-- autogen:revision 0d892c459fab
-- autogen:message create blog schema
-- autogen:created 2026-11-21T14:41:51Z

-- autogen:upgrade
CREATE TABLE "tags" (
    "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" varchar(50) NOT NULL,
    CONSTRAINT "uq_tags_name" UNIQUE ("name")
);

CREATE TABLE "users" (
    "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,
    "email" varchar(255) NOT NULL,
    "display_name" varchar(100) NOT NULL,
    "bio" text,
    "karma" integer NOT NULL DEFAULT 0,
    "created_at" timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "uq_users_email" UNIQUE ("email"),
    CONSTRAINT "ck_users_karma" CHECK (karma >= 0)
);

CREATE TABLE "posts" (
    "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,
    "author_id" bigint NOT NULL,
    "title" varchar(200) NOT NULL,
    "body" text NOT NULL,
    "status" text NOT NULL DEFAULT 'draft',
    "published_at" timestamp,
    "created_at" timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "fk_posts_author_id_users" FOREIGN KEY ("author_id") REFERENCES "users" ("id") ON DELETE CASCADE,
    CONSTRAINT "ck_posts_status_enum" CHECK ("status" IN ('draft', 'published', 'archived'))
);

CREATE INDEX "ix_posts_author_id_created_at" ON "posts" ("author_id", "created_at");

CREATE TABLE "comments" (
    "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,
    "post_id" bigint NOT NULL,
    "author_id" bigint,
    "body" text NOT NULL,
    "created_at" timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "fk_comments_post_id_posts" FOREIGN KEY ("post_id") REFERENCES "posts" ("id") ON DELETE CASCADE,
    CONSTRAINT "fk_comments_author_id_users" FOREIGN KEY ("author_id") REFERENCES "users" ("id") ON DELETE SET NULL
);

CREATE INDEX "ix_comments_post_id" ON "comments" ("post_id");

CREATE TABLE "post_tags" (
    "post_id" bigint NOT NULL,
    "tag_id" integer NOT NULL,
    CONSTRAINT "pk_post_tags" PRIMARY KEY ("post_id", "tag_id"),
    CONSTRAINT "fk_post_tags_post_id_posts" FOREIGN KEY ("post_id") REFERENCES "posts" ("id") ON DELETE CASCADE,
    CONSTRAINT "fk_post_tags_tag_id_tags" FOREIGN KEY ("tag_id") REFERENCES "tags" ("id") ON DELETE CASCADE
);

CREATE INDEX "ix_post_tags_tag_id" ON "post_tags" ("tag_id");

-- autogen:downgrade
-- destructive: drops table post_tags and all its rows
DROP TABLE "post_tags";

-- destructive: drops table comments and all its rows
DROP TABLE "comments";

-- destructive: drops table posts and all its rows
DROP TABLE "posts";

-- destructive: drops table users and all its rows
DROP TABLE "users";

-- destructive: drops table tags and all its rows
DROP TABLE "tags";
