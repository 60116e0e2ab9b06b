//! When a bank-file rail acts: its cut-offs, in the bank's time zone, on the bank's business
//! days, and the dates that follow from a cut-off (the entries' effective date, and for ACH the
//! end of the return window). Pure: instants in, instants and dates out.
//!
//! - A *business day* is one of the rail's weekdays (Monday to Friday unless configured) and
//!   not one of its holidays.
//! - Cut-offs are local wall-clock times on business days. Across a daylight-saving change a
//!   cut-off keeps its wall-clock time: one that falls in the spring gap happens at the first
//!   instant after it, one in the autumn overlap at its first occurrence (jiff's "compatible"
//!   rule, as calendars do).
//! - The *effective date* of a file is the business day `effective_days` after its cut-off's
//!   local date (0: the same day, when the cut-off is itself on a business day).
//! - The *settlement date* is `settlement_days` business days after the effective date; an ACH
//!   entry with no return by the end of it (local midnight) is final: paid.

use std::collections::BTreeSet;

use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

/// A rail's calendar, checked (see [`Schedule::new`]).
#[derive(Debug, Clone)]
pub struct Schedule {
    zone: TimeZone,
    /// Sorted and distinct.
    cutoffs: Vec<Time>,
    holidays: BTreeSet<Date>,
    /// The days of the week the bank works (Monday to Friday by default).
    weekdays: Vec<Weekday>,
    effective_days: u8,
    settlement_days: u8,
}

/// What is wrong with a rail's calendar. Names the value, which is configuration, not secret.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ScheduleError {
    #[error("time_zone {0:?} is not a time zone in this system's tz database (an IANA name such as \"America/New_York\")")]
    TimeZone(String),
    #[error("cutoffs is empty: a rail needs at least one cut-off time")]
    NoCutoffs,
    #[error("cutoff {0:?} is not a time of day as HH:MM or HH:MM:SS (24-hour)")]
    Cutoff(String),
    #[error("holiday {0:?} is not a date as YYYY-MM-DD")]
    Holiday(String),
    #[error("effective_days and settlement_days are at most 10 business days")]
    Days,
    #[error("business_days: {0:?} is not a day of the week (mon, tue, wed, thu, fri, sat, sun)")]
    Weekday(String),
    #[error("business_days is empty: a rail needs at least one working day")]
    NoWeekdays,
}

/// Business days looked at before giving up: more than a year, so only a calendar that is all
/// holidays runs out.
const HORIZON_DAYS: i32 = 400;

impl Schedule {
    /// Checks and builds a calendar: an IANA time zone name, cut-offs as `HH:MM` (or
    /// `HH:MM:SS`), holidays as `YYYY-MM-DD`, on Monday to Friday.
    pub fn new(
        time_zone: &str,
        cutoffs: &[String],
        holidays: &[String],
        effective_days: u8,
        settlement_days: u8,
    ) -> Result<Self, ScheduleError> {
        Self::with_weekdays(
            time_zone,
            cutoffs,
            holidays,
            &["mon", "tue", "wed", "thu", "fri"].map(String::from),
            effective_days,
            settlement_days,
        )
    }

    /// [`Schedule::new`] for a bank that works on `weekdays` (`mon` … `sun`).
    pub fn with_weekdays(
        time_zone: &str,
        cutoffs: &[String],
        holidays: &[String],
        weekdays: &[String],
        effective_days: u8,
        settlement_days: u8,
    ) -> Result<Self, ScheduleError> {
        let zone =
            TimeZone::get(time_zone).map_err(|_| ScheduleError::TimeZone(time_zone.to_owned()))?;
        if cutoffs.is_empty() {
            return Err(ScheduleError::NoCutoffs);
        }
        let mut times = Vec::with_capacity(cutoffs.len());
        for c in cutoffs {
            times.push(parse_hhmm(c).ok_or_else(|| ScheduleError::Cutoff(c.clone()))?);
        }
        times.sort();
        times.dedup();
        let mut days = BTreeSet::new();
        for h in holidays {
            let date = parse_date(h).ok_or_else(|| ScheduleError::Holiday(h.clone()))?;
            days.insert(date);
        }
        if effective_days > 10 || settlement_days > 10 {
            return Err(ScheduleError::Days);
        }
        let mut working = Vec::new();
        for d in weekdays {
            let day = match d.to_ascii_lowercase().as_str() {
                "mon" => Weekday::Monday,
                "tue" => Weekday::Tuesday,
                "wed" => Weekday::Wednesday,
                "thu" => Weekday::Thursday,
                "fri" => Weekday::Friday,
                "sat" => Weekday::Saturday,
                "sun" => Weekday::Sunday,
                _ => return Err(ScheduleError::Weekday(d.clone())),
            };
            if !working.contains(&day) {
                working.push(day);
            }
        }
        if working.is_empty() {
            return Err(ScheduleError::NoWeekdays);
        }
        Ok(Self {
            zone,
            cutoffs: times,
            holidays: days,
            weekdays: working,
            effective_days,
            settlement_days,
        })
    }

    /// One of the bank's weekdays, and not a holiday.
    pub fn is_business_day(&self, date: Date) -> bool {
        self.weekdays.contains(&date.weekday()) && !self.holidays.contains(&date)
    }

    /// The first cut-off strictly after `after`, or `None` if there is none within
    /// [`HORIZON_DAYS`] (a calendar of nothing but holidays).
    pub fn next_cutoff(&self, after: Timestamp) -> Option<Timestamp> {
        let mut date = after.to_zoned_datetime(self.zone.clone()).date();
        for _ in 0..HORIZON_DAYS {
            if self.is_business_day(date) {
                for time in &self.cutoffs {
                    let at = date
                        .to_datetime(*time)
                        .to_zoned_datetime(self.zone.clone())
                        .ok()?;
                    if at.timestamp() > after {
                        return Some(at.timestamp());
                    }
                }
            }
            date = date.tomorrow().ok()?;
        }
        None
    }

    /// The instant the bank's local day `date` begins.
    pub fn day_start(&self, date: Date) -> Option<Timestamp> {
        Some(date.to_zoned_datetime(self.zone.clone()).ok()?.timestamp())
    }

    /// The latest cut-off at or before `at`, within [`HORIZON_DAYS`]. Each day's cut-offs are
    /// sorted, so on `at`'s own day the search starts at `at`'s wall-clock time (a few before it
    /// are tried too, for a day whose clock changed) instead of walking the whole day.
    pub fn latest_at_or_before(&self, at: Timestamp) -> Option<Timestamp> {
        let local = at.to_zoned_datetime(self.zone.clone());
        let mut date = local.date();
        let mut start = self
            .cutoffs
            .partition_point(|t| *t <= local.time())
            .saturating_add(2)
            .min(self.cutoffs.len());
        for _ in 0..HORIZON_DAYS {
            if self.is_business_day(date) {
                for time in self.cutoffs[..start].iter().rev() {
                    let candidate = date
                        .to_datetime(*time)
                        .to_zoned_datetime(self.zone.clone())
                        .ok()?
                        .timestamp();
                    if candidate <= at {
                        return Some(candidate);
                    }
                }
            }
            date = date.yesterday().ok()?;
            start = self.cutoffs.len();
        }
        None
    }

    /// The bank's offset from UTC at `at`, in seconds.
    pub fn offset_seconds(&self, at: Timestamp) -> i32 {
        self.zone.to_offset(at).seconds()
    }

    /// The bank's local date at `at`.
    pub fn local_date(&self, at: Timestamp) -> Date {
        at.to_zoned_datetime(self.zone.clone()).date()
    }

    /// The bank's local wall-clock time at `at`.
    pub fn local_time(&self, at: Timestamp) -> Time {
        at.to_zoned_datetime(self.zone.clone()).time()
    }

    /// `n` business days after `date` (`date` itself for 0 when it is a business day, else the
    /// next business day).
    pub fn add_business_days(&self, date: Date, n: u8) -> Option<Date> {
        let mut date = date;
        while !self.is_business_day(date) {
            date = date.tomorrow().ok()?;
        }
        for _ in 0..n {
            date = date.tomorrow().ok()?;
            while !self.is_business_day(date) {
                date = date.tomorrow().ok()?;
            }
        }
        Some(date)
    }

    /// The effective date of a file made at the cut-off `cutoff`.
    pub fn effective_date(&self, cutoff: Timestamp) -> Option<Date> {
        self.add_business_days(self.local_date(cutoff), self.effective_days)
    }

    /// When an ACH entry effective on `effective` with no return is final: local midnight at the
    /// end of its settlement date.
    pub fn final_at(&self, effective: Date) -> Option<Timestamp> {
        let settlement = self.add_business_days(effective, self.settlement_days)?;
        let next = settlement.checked_add(1.day()).ok()?;
        Some(next.to_zoned_datetime(self.zone.clone()).ok()?.timestamp())
    }
}

/// `HH:MM` or `HH:MM:SS`, 24-hour.
fn parse_hhmm(s: &str) -> Option<Time> {
    let b = s.as_bytes();
    if !(b.len() == 5 || b.len() == 8) || b[2] != b':' || (b.len() == 8 && b[5] != b':') {
        return None;
    }
    let digits = |x: &[u8]| -> Option<i8> {
        x.iter().all(u8::is_ascii_digit).then_some(())?;
        std::str::from_utf8(x).ok()?.parse().ok()
    };
    let (h, m) = (digits(&b[..2])?, digits(&b[3..5])?);
    let sec = if b.len() == 8 { digits(&b[6..])? } else { 0 };
    Time::new(h, m, sec, 0).ok()
}

/// `YYYY-MM-DD`.
fn parse_date(s: &str) -> Option<Date> {
    if s.len() != 10 {
        return None;
    }
    s.parse::<Date>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schedule(cutoffs: &[&str], holidays: &[&str]) -> Schedule {
        let cutoffs: Vec<String> = cutoffs.iter().map(|s| s.to_string()).collect();
        let holidays: Vec<String> = holidays.iter().map(|s| s.to_string()).collect();
        Schedule::new("America/New_York", &cutoffs, &holidays, 1, 2).expect("valid")
    }

    fn at(s: &str) -> Timestamp {
        s.parse().expect("a timestamp")
    }

    #[test]
    fn the_next_cutoff_is_on_a_business_day_in_the_banks_zone() {
        let s = schedule(&["14:30", "10:00"], &["2026-12-25"]);
        // Thursday 2026-12-03, 09:00 in New York (14:00 UTC): the 10:00 cut-off that day.
        assert_eq!(
            s.next_cutoff(at("2026-12-03T14:00:00Z")),
            Some(at("2026-12-03T15:00:00Z"))
        );
        // Exactly at a cut-off: the next one, never the same one twice.
        assert_eq!(
            s.next_cutoff(at("2026-12-03T15:00:00Z")),
            Some(at("2026-12-03T19:30:00Z"))
        );
        // Friday after the last cut-off: Monday's first.
        assert_eq!(
            s.next_cutoff(at("2026-12-04T20:00:00Z")),
            Some(at("2026-12-07T15:00:00Z"))
        );
        // Thursday 24 December after hours: Friday is a holiday, so Monday 28th.
        assert_eq!(
            s.next_cutoff(at("2026-12-24T22:00:00Z")),
            Some(at("2026-12-28T15:00:00Z"))
        );
    }

    #[test]
    fn the_latest_cutoff_is_found_without_walking_the_calendar() {
        let s = schedule(&["14:30", "10:00"], &["2026-12-25"]);
        // Thursday 2026-12-03 at 12:00 in New York: that morning's 10:00.
        assert_eq!(
            s.latest_at_or_before(at("2026-12-03T17:00:00Z")),
            Some(at("2026-12-03T15:00:00Z"))
        );
        // Exactly at a cut-off: that one.
        assert_eq!(
            s.latest_at_or_before(at("2026-12-03T19:30:00Z")),
            Some(at("2026-12-03T19:30:00Z"))
        );
        // Monday 28 December before 10:00: Thursday 24th's 14:30 (Friday is a holiday).
        assert_eq!(
            s.latest_at_or_before(at("2026-12-28T12:00:00Z")),
            Some(at("2026-12-24T19:30:00Z"))
        );
        // Every two seconds of the day: still one step away.
        let dense: Vec<String> = (0..43_200)
            .map(|i| {
                let s = i * 2;
                format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
            })
            .collect();
        let every_day = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map(String::from);
        let dense = Schedule::with_weekdays("UTC", &dense, &[], &every_day, 0, 0).expect("valid");
        assert_eq!(
            dense.latest_at_or_before(at("2026-12-06T20:51:03.5Z")),
            Some(at("2026-12-06T20:51:02Z"))
        );
    }

    #[test]
    fn a_cutoff_keeps_its_wall_clock_time_across_daylight_saving() {
        let s = schedule(&["02:30"], &[]);
        // New York moves to EDT (UTC-4) on Sunday 2027-03-14: Friday's 02:30 is 07:30 UTC,
        // Monday's 06:30 UTC.
        assert_eq!(
            s.next_cutoff(at("2027-03-12T08:00:00Z")),
            Some(at("2027-03-15T06:30:00Z"))
        );
        assert_eq!(
            s.next_cutoff(at("2027-03-11T08:00:00Z")),
            Some(at("2027-03-12T07:30:00Z"))
        );
    }

    #[test]
    fn effective_and_final_dates_count_business_days() {
        let s = schedule(&["14:30"], &["2026-12-25"]);
        // Thursday 24 December's cut-off: effective on the next business day, Monday 28th.
        let cutoff = at("2026-12-24T19:30:00Z");
        let effective = s.effective_date(cutoff).expect("a date");
        assert_eq!(effective, jiff::civil::date(2026, 12, 28));
        // Two business days later is Wednesday 30th; final at midnight New York time after it.
        assert_eq!(s.final_at(effective), Some(at("2026-12-31T05:00:00Z")));
        // A weekend date rolls forward first.
        assert_eq!(
            s.add_business_days(jiff::civil::date(2026, 12, 5), 0),
            Some(jiff::civil::date(2026, 12, 7))
        );
    }

    #[test]
    fn a_calendar_with_bad_values_is_refused_by_name() {
        let ok = vec!["14:30".to_string()];
        assert_eq!(
            Schedule::new("Mars/Olympus", &ok, &[], 1, 2).map(|_| ()),
            Err(ScheduleError::TimeZone("Mars/Olympus".into()))
        );
        assert_eq!(
            Schedule::new("UTC", &[], &[], 1, 2).map(|_| ()),
            Err(ScheduleError::NoCutoffs)
        );
        for bad in [
            "24:00", "9:30", "09:60", "0930", "09:30:60", "09:30:0", "aa:bb", "+9:30",
        ] {
            assert_eq!(
                Schedule::new("UTC", &[bad.to_string()], &[], 1, 2).map(|_| ()),
                Err(ScheduleError::Cutoff(bad.into())),
                "{bad}"
            );
        }
        for bad in ["2026-02-30", "26-12-25", "2026-12-25T00:00"] {
            assert_eq!(
                Schedule::new("UTC", &ok, &[bad.to_string()], 1, 2).map(|_| ()),
                Err(ScheduleError::Holiday(bad.into())),
                "{bad}"
            );
        }
        assert_eq!(
            Schedule::new("UTC", &ok, &[], 11, 2).map(|_| ()),
            Err(ScheduleError::Days)
        );
    }

    #[test]
    fn a_bank_that_works_weekends_has_weekend_cutoffs_to_the_second() {
        let every_day = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map(String::from);
        let s = Schedule::with_weekdays("UTC", &["12:00:30".to_string()], &[], &every_day, 0, 0)
            .expect("valid");
        // Saturday 2026-12-05.
        assert_eq!(
            s.next_cutoff(at("2026-12-05T12:00:00Z")),
            Some(at("2026-12-05T12:00:30Z"))
        );
        let noon = ["12:00".to_string()];
        assert_eq!(
            Schedule::with_weekdays("UTC", &noon, &[], &["caturday".to_string()], 0, 0).map(|_| ()),
            Err(ScheduleError::Weekday("caturday".into()))
        );
        assert_eq!(
            Schedule::with_weekdays("UTC", &noon, &[], &[], 0, 0).map(|_| ()),
            Err(ScheduleError::NoWeekdays)
        );
    }

    #[test]
    fn a_calendar_of_nothing_but_holidays_has_no_next_cutoff() {
        let start = jiff::civil::date(2027, 1, 1);
        let holidays: Vec<String> = (0..HORIZON_DAYS + 10)
            .map(|d| {
                start
                    .checked_add(i64::from(d).days())
                    .expect("a date")
                    .to_string()
            })
            .collect();
        let s = Schedule::new("UTC", &["12:00".to_string()], &holidays, 1, 2).expect("valid");
        assert_eq!(s.next_cutoff(at("2027-01-01T00:00:00Z")), None);
    }
}
