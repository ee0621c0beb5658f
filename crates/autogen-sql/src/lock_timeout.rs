//! The lock wait an online revision allows each of its statements (`lock_timeout` in
//! autogen.toml): how it is written in the configuration (`"2s"`, `"500ms"`, `"1min"`) and how
//! each dialect's session setting spells it (PostgreSQL `SET lock_timeout = '2s'`, MySQL/MariaDB
//! `SET SESSION lock_wait_timeout = 5`, whole seconds). Which statements the setting surrounds
//! and what the runner does when a wait runs out are decided elsewhere (`dialect/*_online.rs`,
//! the runner's retries).

/// A lock wait, in milliseconds, at least one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LockTimeout {
    pub millis: u64,
}

/// PostgreSQL's default in online mode: two seconds, short enough that the queries queued behind
/// a waiting `ALTER` are not noticed, long enough for the brief locks most steps need.
pub const POSTGRES_LOCK_TIMEOUT: LockTimeout = LockTimeout { millis: 2_000 };

/// MySQL/MariaDB's default in online mode: five seconds (the setting takes whole seconds).
pub const MYSQL_LOCK_TIMEOUT: LockTimeout = LockTimeout { millis: 5_000 };

/// The longest wait accepted: an hour. A longer one would defeat the purpose of bounding it.
const LONGEST_MILLIS: u64 = 3_600_000;

impl LockTimeout {
    /// Reads a duration written with its unit: `"2s"`, `"500ms"`, `"1min"` (whole numbers,
    /// spaces allowed before the unit), from 1 ms to one hour. The error says what is wrong, for
    /// a message that names the key.
    pub fn parse(text: &str) -> Result<LockTimeout, String> {
        let text = text.trim();
        let digits = text.chars().take_while(char::is_ascii_digit).count();
        let (number, unit) = text.split_at(digits);
        let unit_millis = match unit.trim() {
            "ms" => 1,
            "s" => 1_000,
            "min" => 60_000,
            "" => {
                return Err(format!(
                    "{text:?} has no unit: write a duration such as \"2s\", \"500ms\" or \"1min\""
                ))
            }
            other => {
                return Err(format!(
                    "{text:?} has an unknown unit {other:?}: write a duration such as \"2s\", \"500ms\" or \"1min\""
                ))
            }
        };
        let number: u64 = number.parse().map_err(|_| {
            format!("{text:?} is not a whole number with a unit, such as \"2s\" or \"500ms\"")
        })?;
        let millis = number.saturating_mul(unit_millis);
        if millis == 0 || millis > LONGEST_MILLIS {
            return Err(format!(
                "{text:?} is out of range: a lock wait is at least 1ms and at most 60min"
            ));
        }
        Ok(LockTimeout { millis })
    }

    /// The value of PostgreSQL's `lock_timeout` (and of messages): `2s` when whole seconds,
    /// else `1500ms`.
    pub fn postgres_value(self) -> String {
        if self.millis.is_multiple_of(1_000) {
            format!("{}s", self.millis / 1_000)
        } else {
            format!("{}ms", self.millis)
        }
    }

    /// The value of MySQL's and MariaDB's `lock_wait_timeout`, which takes whole seconds: the
    /// wait rounded up, so that it is never shorter than asked.
    pub fn mysql_seconds(self) -> u64 {
        self.millis.div_ceil(1_000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_with_their_unit() {
        for (text, millis) in [
            ("2s", 2_000),
            ("500ms", 500),
            ("1min", 60_000),
            (" 3 s ", 3_000),
            ("60min", 3_600_000),
        ] {
            assert_eq!(
                LockTimeout::parse(text),
                Ok(LockTimeout { millis }),
                "{text}"
            );
        }
        for text in [
            "2",
            "",
            "s",
            "2h",
            "-1s",
            "1.5s",
            "0s",
            "61min",
            "2 seconds",
        ] {
            assert!(LockTimeout::parse(text).is_err(), "{text}");
        }
    }

    #[test]
    fn each_dialect_spells_the_wait() {
        assert_eq!(POSTGRES_LOCK_TIMEOUT.postgres_value(), "2s");
        assert_eq!(LockTimeout { millis: 750 }.postgres_value(), "750ms");
        assert_eq!(LockTimeout { millis: 750 }.mysql_seconds(), 1);
        assert_eq!(LockTimeout { millis: 2_001 }.mysql_seconds(), 3);
        assert_eq!(MYSQL_LOCK_TIMEOUT.mysql_seconds(), 5);
    }
}
