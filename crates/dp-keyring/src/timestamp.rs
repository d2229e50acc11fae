//! Instants as .NET's `DateTimeOffset` holds them: 100-ns precision, with the writer's offset.

use core::fmt;
use core::ops::{Add, Sub};

use dp_format::time_limited::Expiration;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime, UtcOffset};

use crate::KeyringError;

/// An instant with its UTC offset, at .NET tick (100 ns) precision.
///
/// Comparisons and equality are by instant, whatever the offsets; the offset is kept only so a
/// revocation date written as `…-08:00` is written back the same way.
///
/// Invariant: the instant is representable in UTC (years 1–9999 there too), so converting to
/// UTC never fails. `9999-12-31T23:59:59-01:00` is valid XML but falls in year 10000 in UTC: it
/// is refused by [`Timestamp::parse_xml`].
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(OffsetDateTime);

impl Timestamp {
    /// The Unix epoch.
    pub const UNIX_EPOCH: Self = Self(OffsetDateTime::UNIX_EPOCH);

    /// From an `OffsetDateTime`, truncated to whole ticks. An instant whose UTC form falls
    /// outside years 1–9999 is clamped to the nearest representable instant in UTC.
    pub fn from_offset_date_time(value: OffsetDateTime) -> Self {
        let value = match value.checked_to_offset(UtcOffset::UTC) {
            Some(_) => value,
            None if value.year() > 0 => time::PrimitiveDateTime::MAX.assume_utc(),
            None => time::PrimitiveDateTime::MIN.assume_utc(),
        };
        let nanos = value.nanosecond();
        let truncated = value
            .replace_nanosecond(nanos - nanos % 100)
            .unwrap_or(value);
        Self(truncated)
    }

    /// From seconds since the Unix epoch, in UTC.
    ///
    /// # Errors
    /// [`KeyringError::InvalidDate`] outside the representable range.
    pub fn from_unix_seconds(seconds: i64) -> Result<Self, KeyringError> {
        OffsetDateTime::from_unix_timestamp(seconds)
            .map(Self)
            .map_err(|_| KeyringError::InvalidDate(seconds.to_string()))
    }

    /// The underlying `OffsetDateTime`.
    pub fn as_offset_date_time(&self) -> OffsetDateTime {
        self.0
    }

    /// The same instant in UTC.
    pub fn to_utc(self) -> Self {
        // Cannot overflow: every constructor keeps the instant representable in UTC.
        Self(self.0.to_offset(UtcOffset::UTC))
    }

    /// Whole seconds since the Unix epoch.
    pub fn unix_seconds(&self) -> i64 {
        self.0.unix_timestamp()
    }

    /// Parses an `xsd:dateTime` as .NET's `XmlConvert.ToDateTimeOffset` reads key XML: a date,
    /// `T`, a time with an optional fraction of up to 7 digits, and `Z` or `±hh:mm`.
    ///
    /// A missing zone is read as UTC (.NET reads it as the machine's local time; keys written by
    /// .NET always carry a zone).
    ///
    /// # Errors
    /// [`KeyringError::InvalidDate`] for anything else.
    pub fn parse_xml(text: &str) -> Result<Self, KeyringError> {
        let invalid = || KeyringError::InvalidDate(text.chars().take(64).collect());
        let trimmed = text.trim();
        let fraction_digits = trimmed
            .split_once('.')
            .map(|(_, rest)| rest.bytes().take_while(u8::is_ascii_digit).count());
        if fraction_digits.is_some_and(|n| n == 0 || n > 7) {
            return Err(invalid());
        }
        let has_zone = trimmed.ends_with(['Z', 'z'])
            || trimmed
                .get(trimmed.len().saturating_sub(6)..)
                .is_some_and(|tail| {
                    tail.starts_with(['+', '-']) && tail.as_bytes().get(3) == Some(&b':')
                });
        let parsed = if has_zone {
            OffsetDateTime::parse(trimmed, &Rfc3339)
        } else {
            OffsetDateTime::parse(&format!("{trimmed}Z"), &Rfc3339)
        };
        let parsed = parsed.map_err(|_| invalid())?;
        // Keep the invariant: the same instant must exist in UTC, in years 1–9999 as .NET's
        // DateTimeOffset requires.
        let utc_year = parsed
            .checked_to_offset(UtcOffset::UTC)
            .map(OffsetDateTime::year);
        if !utc_year.is_some_and(|y| (1..=9999).contains(&y)) {
            return Err(KeyringError::InvalidDate(format!(
                "{} (outside years 1–9999 in UTC)",
                text.chars().take(64).collect::<String>()
            )));
        }
        Ok(Self::from_offset_date_time(parsed))
    }

    /// Formats as `XmlConvert.ToString(DateTimeOffset)` does: `yyyy-MM-ddTHH:mm:ss`, a fraction of
    /// up to 7 digits with trailing zeros removed (none when zero), then `Z` or `±hh:mm`.
    pub fn to_xml(&self) -> String {
        let mut out = format_fields(self.0, "-", ":");
        let fraction = trimmed_fraction(self.0);
        if !fraction.is_empty() {
            out.push('.');
            out.push_str(&fraction);
        }
        out.push_str(&offset_suffix(self.0.offset()));
        out
    }

    /// The UTC form .NET uses in mass-revocation file names: `yyyyMMddTHHmmssFFFFFFFZ`.
    pub fn to_compact_utc(&self) -> String {
        // Cannot overflow: every constructor keeps the instant representable in UTC.
        let utc = self.0.to_offset(UtcOffset::UTC);
        let mut out = format_fields(utc, "", "");
        out.push_str(&trimmed_fraction(utc));
        out.push('Z');
        out
    }

    /// RFC 3339 in UTC, for people and JSON.
    pub fn to_rfc3339(&self) -> String {
        self.to_utc().to_xml()
    }

    /// The time-limited payload expiration for this instant.
    ///
    /// # Errors
    /// [`KeyringError::InvalidDate`] outside years 1–9999.
    pub fn to_expiration(&self) -> Result<Expiration, KeyringError> {
        Expiration::from_unix_nanos(self.0.unix_timestamp_nanos())
            .map_err(|_| KeyringError::InvalidDate(self.to_xml()))
    }

    /// The instant of a time-limited payload expiration.
    #[allow(
        clippy::expect_used,
        reason = "Expiration is bounded to years 1..=9999 in UTC, which `time` represents"
    )]
    pub fn from_expiration(expiration: Expiration) -> Self {
        let nanos = expiration.unix_nanos();
        Self(
            OffsetDateTime::from_unix_timestamp_nanos(nanos)
                .expect("an Expiration lies in years 1..=9999 (UTC)"),
        )
    }

    /// Adds a duration, saturating at the representable range.
    pub fn saturating_add(self, d: Duration) -> Self {
        Self::from_offset_date_time(self.0.checked_add(d).unwrap_or(if d.is_negative() {
            time::PrimitiveDateTime::MIN.assume_utc()
        } else {
            time::PrimitiveDateTime::MAX.assume_utc()
        }))
    }
}

/// `yyyy{d}MM{d}ddTHH{t}mm{t}ss`.
fn format_fields(v: OffsetDateTime, d: &str, t: &str) -> String {
    format!(
        "{:04}{d}{:02}{d}{:02}T{:02}{t}{:02}{t}{:02}",
        v.year(),
        u8::from(v.month()),
        v.day(),
        v.hour(),
        v.minute(),
        v.second()
    )
}

/// .NET's `FFFFFFF`: up to 7 fraction digits, trailing zeros removed, empty when zero.
fn trimmed_fraction(v: OffsetDateTime) -> String {
    let ticks = v.nanosecond() / 100;
    if ticks == 0 {
        return String::new();
    }
    format!("{ticks:07}").trim_end_matches('0').to_owned()
}

fn offset_suffix(offset: UtcOffset) -> String {
    if offset.is_utc() {
        return "Z".to_owned();
    }
    let (h, m, _) = offset.as_hms();
    let sign = if offset.is_negative() { '-' } else { '+' };
    format!("{sign}{:02}:{:02}", h.unsigned_abs(), m.unsigned_abs())
}

impl Add<Duration> for Timestamp {
    type Output = Self;
    fn add(self, rhs: Duration) -> Self {
        self.saturating_add(rhs)
    }
}

impl Sub<Duration> for Timestamp {
    type Output = Self;
    fn sub(self, rhs: Duration) -> Self {
        self.saturating_add(-rhs)
    }
}

impl Sub for Timestamp {
    type Output = Duration;
    fn sub(self, rhs: Self) -> Duration {
        self.0 - rhs.0
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({})", self.to_xml())
    }
}

impl From<OffsetDateTime> for Timestamp {
    fn from(value: OffsetDateTime) -> Self {
        Self::from_offset_date_time(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_past_year_9999_in_utc_are_refused() {
        // Valid XML and a valid local time, but 10000-01-01T00:59:59Z.
        for text in ["9999-12-31T23:59:59-01:00", "0001-01-01T00:30:00+01:00"] {
            assert!(
                matches!(
                    Timestamp::parse_xml(text),
                    Err(KeyringError::InvalidDate(_))
                ),
                "{text}"
            );
        }
        let edge = Timestamp::parse_xml("9999-12-31T23:59:59+01:00").map(Timestamp::to_utc);
        assert!(matches!(edge, Ok(t) if t.to_xml() == "9999-12-31T22:59:59Z"));
    }

    #[test]
    fn arithmetic_near_the_end_of_time_stays_representable_in_utc() {
        let late =
            Timestamp::parse_xml("9999-12-31T22:00:00-01:00").map(|t| t + Duration::hours(3));
        assert_eq!(
            late.map(|t| t.to_compact_utc()).ok().as_deref(),
            Some("99991231T2359599999999Z")
        );
    }

    #[test]
    fn xml_round_trips_dotnet_forms() -> Result<(), KeyringError> {
        for text in [
            "2014-01-01T00:00:00Z",
            "2015-03-19T23:32:02.3949887Z",
            "2015-03-01T19:13:19.7573854-08:00",
            "2015-06-17T23:32:02.38Z",
            "2020-02-29T12:00:00+05:30",
        ] {
            assert_eq!(Timestamp::parse_xml(text)?.to_xml(), text);
        }
        Ok(())
    }

    #[test]
    fn compact_form_matches_dotnet_revocation_names() -> Result<(), KeyringError> {
        let t = Timestamp::parse_xml("2015-03-01T19:13:19.7573854-08:00")?;
        assert_eq!(t.to_compact_utc(), "20150302T0313197573854Z");
        Ok(())
    }

    #[test]
    fn comparisons_are_by_instant() -> Result<(), KeyringError> {
        let a = Timestamp::parse_xml("2015-03-01T19:00:00-08:00")?;
        let b = Timestamp::parse_xml("2015-03-02T03:00:00Z")?;
        assert_eq!(a, b);
        assert!(Timestamp::parse_xml("2015-03-02T03:00:00.0000001Z")? > a);
        Ok(())
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            "",
            "NOT A VALID DATE",
            "2015-03-02",
            "2015-03-02T03:00:00.Z",
            "2015-03-02T03:00:00.12345678Z",
            "2015-13-02T03:00:00Z",
        ] {
            assert!(
                matches!(Timestamp::parse_xml(bad), Err(KeyringError::InvalidDate(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn missing_zone_reads_as_utc() -> Result<(), KeyringError> {
        assert_eq!(
            Timestamp::parse_xml("2015-03-02T03:00:00")?,
            Timestamp::parse_xml("2015-03-02T03:00:00Z")?
        );
        Ok(())
    }
}
