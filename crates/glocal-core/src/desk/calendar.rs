//! Business time: the working hours and holidays of the office that holds a request, in its
//! own time zone. SLA clocks run only inside them.
//!
//! Korea's public holidays for 2025–2030 are built in as data, lunar ones (Seollal, Chuseok,
//! Buddha's Birthday) and substitute holidays included; other calendars are imported from
//! iCalendar files.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

use crate::error::{Error, ErrorCode, Result};

/// Korea's public holidays, 2025–2030 (Regulation on Holidays of Government Offices),
/// including substitute holidays and the election days known in advance.
pub const KR_HOLIDAYS: &[(&str, &str)] = &[
    ("2025-01-01", "New Year's Day"),
    ("2025-01-27", "Temporary holiday"),
    ("2025-01-28", "Seollal"),
    ("2025-01-29", "Seollal"),
    ("2025-01-30", "Seollal"),
    ("2025-03-01", "Independence Movement Day"),
    ("2025-03-03", "Substitute holiday (Independence Movement Day)"),
    ("2025-05-05", "Children's Day; Buddha's Birthday"),
    ("2025-05-06", "Substitute holiday (Buddha's Birthday)"),
    ("2025-06-03", "Presidential election"),
    ("2025-06-06", "Memorial Day"),
    ("2025-08-15", "Liberation Day"),
    ("2025-10-03", "National Foundation Day"),
    ("2025-10-05", "Chuseok"),
    ("2025-10-06", "Chuseok"),
    ("2025-10-07", "Chuseok"),
    ("2025-10-08", "Substitute holiday (Chuseok)"),
    ("2025-10-09", "Hangul Day"),
    ("2025-12-25", "Christmas Day"),
    ("2026-01-01", "New Year's Day"),
    ("2026-02-16", "Seollal"),
    ("2026-02-17", "Seollal"),
    ("2026-02-18", "Seollal"),
    ("2026-03-01", "Independence Movement Day"),
    ("2026-03-02", "Substitute holiday (Independence Movement Day)"),
    ("2026-05-05", "Children's Day"),
    ("2026-05-24", "Buddha's Birthday"),
    ("2026-05-25", "Substitute holiday (Buddha's Birthday)"),
    ("2026-06-03", "Local elections"),
    ("2026-06-06", "Memorial Day"),
    ("2026-08-15", "Liberation Day"),
    ("2026-08-17", "Substitute holiday (Liberation Day)"),
    ("2026-09-24", "Chuseok"),
    ("2026-09-25", "Chuseok"),
    ("2026-09-26", "Chuseok"),
    ("2026-10-03", "National Foundation Day"),
    ("2026-10-05", "Substitute holiday (National Foundation Day)"),
    ("2026-10-09", "Hangul Day"),
    ("2026-12-25", "Christmas Day"),
    ("2027-01-01", "New Year's Day"),
    ("2027-02-06", "Seollal"),
    ("2027-02-07", "Seollal"),
    ("2027-02-08", "Seollal"),
    ("2027-02-09", "Substitute holiday (Seollal)"),
    ("2027-03-01", "Independence Movement Day"),
    ("2027-05-05", "Children's Day"),
    ("2027-05-13", "Buddha's Birthday"),
    ("2027-06-06", "Memorial Day"),
    ("2027-08-15", "Liberation Day"),
    ("2027-08-16", "Substitute holiday (Liberation Day)"),
    ("2027-09-14", "Chuseok"),
    ("2027-09-15", "Chuseok"),
    ("2027-09-16", "Chuseok"),
    ("2027-10-03", "National Foundation Day"),
    ("2027-10-04", "Substitute holiday (National Foundation Day)"),
    ("2027-10-09", "Hangul Day"),
    ("2027-10-11", "Substitute holiday (Hangul Day)"),
    ("2027-12-25", "Christmas Day"),
    ("2027-12-27", "Substitute holiday (Christmas Day)"),
    ("2028-01-01", "New Year's Day"),
    ("2028-01-26", "Seollal"),
    ("2028-01-27", "Seollal"),
    ("2028-01-28", "Seollal"),
    ("2028-03-01", "Independence Movement Day"),
    ("2028-04-12", "National Assembly election"),
    ("2028-05-02", "Buddha's Birthday"),
    ("2028-05-05", "Children's Day"),
    ("2028-06-06", "Memorial Day"),
    ("2028-08-15", "Liberation Day"),
    ("2028-10-02", "Chuseok"),
    ("2028-10-03", "Chuseok; National Foundation Day"),
    ("2028-10-04", "Chuseok"),
    ("2028-10-05", "Substitute holiday (Chuseok)"),
    ("2028-10-09", "Hangul Day"),
    ("2028-12-25", "Christmas Day"),
    ("2029-01-01", "New Year's Day"),
    ("2029-02-12", "Seollal"),
    ("2029-02-13", "Seollal"),
    ("2029-02-14", "Seollal"),
    ("2029-03-01", "Independence Movement Day"),
    ("2029-05-05", "Children's Day"),
    ("2029-05-07", "Substitute holiday (Children's Day)"),
    ("2029-05-20", "Buddha's Birthday"),
    ("2029-05-21", "Substitute holiday (Buddha's Birthday)"),
    ("2029-06-06", "Memorial Day"),
    ("2029-08-15", "Liberation Day"),
    ("2029-09-21", "Chuseok"),
    ("2029-09-22", "Chuseok"),
    ("2029-09-23", "Chuseok"),
    ("2029-09-24", "Substitute holiday (Chuseok)"),
    ("2029-10-03", "National Foundation Day"),
    ("2029-10-09", "Hangul Day"),
    ("2029-12-25", "Christmas Day"),
    ("2030-01-01", "New Year's Day"),
    ("2030-02-02", "Seollal"),
    ("2030-02-03", "Seollal"),
    ("2030-02-04", "Seollal"),
    ("2030-02-05", "Substitute holiday (Seollal)"),
    ("2030-03-01", "Independence Movement Day"),
    ("2030-05-05", "Children's Day"),
    ("2030-05-06", "Substitute holiday (Children's Day)"),
    ("2030-05-09", "Buddha's Birthday"),
    ("2030-06-06", "Memorial Day"),
    ("2030-08-15", "Liberation Day"),
    ("2030-09-11", "Chuseok"),
    ("2030-09-12", "Chuseok"),
    ("2030-09-13", "Chuseok"),
    ("2030-10-03", "National Foundation Day"),
    ("2030-10-09", "Hangul Day"),
    ("2030-12-25", "Christmas Day"),
];

/// The built-in holidays of a country's calendar (only Korea's are shipped).
pub fn builtin_holidays(country: &str) -> impl Iterator<Item = NaiveDate> + '_ {
    KR_HOLIDAYS
        .iter()
        .filter(move |_| country.eq_ignore_ascii_case("KR"))
        .map(|(d, _)| d.parse().expect("valid built-in date"))
}

/// When an office works: its time zone, daily hours and holidays.
#[derive(Clone, Debug)]
pub struct Calendar {
    pub tz: Tz,
    pub open: NaiveTime,
    pub close: NaiveTime,
    pub holidays: BTreeSet<NaiveDate>,
}

impl Calendar {
    /// Monday to Friday, 09:00–18:00 in `tz`, with `holidays`.
    pub fn office(tz: Tz, holidays: impl IntoIterator<Item = NaiveDate>) -> Calendar {
        Calendar {
            tz,
            open: NaiveTime::from_hms_opt(9, 0, 0).expect("valid"),
            close: NaiveTime::from_hms_opt(18, 0, 0).expect("valid"),
            holidays: holidays.into_iter().collect(),
        }
    }

    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && !self.holidays.contains(&day)
    }

    /// The working window of a local day, as instants (empty on a day off).
    fn window(&self, day: NaiveDate) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        if !self.is_working_day(day) {
            return None;
        }
        let at = |t: NaiveTime| self.tz.from_local_datetime(&day.and_time(t)).earliest().map(|d| d.with_timezone(&Utc));
        Some((at(self.open)?, at(self.close)?))
    }

    /// Whether the office is working at `at`.
    pub fn is_open(&self, at: DateTime<Utc>) -> bool {
        let day = at.with_timezone(&self.tz).date_naive();
        self.window(day).is_some_and(|(o, c)| o <= at && at < c)
    }

    /// The instant `secs` business seconds after `start`.
    pub fn add(&self, start: DateTime<Utc>, secs: i64) -> DateTime<Utc> {
        let mut left = secs.max(0);
        let mut day = start.with_timezone(&self.tz).date_naive();
        // Ten years of days without a working hour means a broken calendar; stop there.
        for _ in 0..3660 {
            if let Some((open, close)) = self.window(day) {
                let from = open.max(start);
                if from < close {
                    let avail = (close - from).num_seconds();
                    if left <= avail {
                        return from + Duration::seconds(left);
                    }
                    left -= avail;
                }
            }
            day = day.succ_opt().expect("date in range");
        }
        start + Duration::seconds(secs)
    }

    /// Business seconds between `a` and `b` (negative when `b` is before `a`).
    pub fn between(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> i64 {
        if b < a {
            return -self.between(b, a);
        }
        let mut total = 0;
        let mut day = a.with_timezone(&self.tz).date_naive();
        let last = b.with_timezone(&self.tz).date_naive();
        while day <= last {
            if let Some((open, close)) = self.window(day) {
                let from = open.max(a);
                let to = close.min(b);
                if to > from {
                    total += (to - from).num_seconds();
                }
            }
            day = day.succ_opt().expect("date in range");
        }
        total
    }

    /// The end of the working day `day` (its closing time), or the instant itself.
    pub fn end_of(&self, day: NaiveDate) -> DateTime<Utc> {
        self.tz
            .from_local_datetime(&day.and_time(self.close))
            .earliest()
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_else(|| Utc.from_utc_datetime(&day.and_time(self.close)))
    }
}

/// The all-day events of an iCalendar file, as (date, name). Reads `DTSTART;VALUE=DATE:`
/// (and a plain `DTSTART:` with a date) of each `VEVENT`; multi-day events (`DTEND`, exclusive)
/// give every day. Folded lines are unfolded first.
pub fn parse_ics(text: &str) -> Result<Vec<(NaiveDate, String)>> {
    let mut unfolded: Vec<String> = Vec::new();
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if let Some(rest) = line.strip_prefix([' ', '\t']) {
            if let Some(last) = unfolded.last_mut() {
                last.push_str(rest);
                continue;
            }
        }
        unfolded.push(line.to_string());
    }
    if !unfolded.iter().any(|l| l.trim() == "BEGIN:VCALENDAR") {
        return Err(Error::field("calendar", ErrorCode::InvalidCalendar));
    }
    let date_of = |line: &str| -> Option<NaiveDate> {
        let value = line.split_once(':')?.1.trim();
        NaiveDate::parse_from_str(value.get(..8)?, "%Y%m%d").ok()
    };
    let mut out = Vec::new();
    let (mut in_event, mut start, mut end, mut name) = (false, None, None, String::new());
    for line in &unfolded {
        let key = line.split([':', ';']).next().unwrap_or_default().to_ascii_uppercase();
        match key.as_str() {
            "BEGIN" if line.trim() == "BEGIN:VEVENT" => {
                (in_event, start, end, name) = (true, None, None, String::new())
            }
            "END" if line.trim() == "END:VEVENT" => {
                in_event = false;
                let Some(first) = start else { return Err(Error::field("calendar", ErrorCode::InvalidCalendar)) };
                let last_exclusive = end.filter(|e| *e > first).unwrap_or(first + Duration::days(1));
                let mut d = first;
                while d < last_exclusive && out.len() < 10_000 {
                    out.push((d, name.clone()));
                    d += Duration::days(1);
                }
            }
            "DTSTART" if in_event => {
                start = Some(date_of(line).ok_or_else(|| Error::field("calendar", ErrorCode::InvalidCalendar))?)
            }
            "DTEND" if in_event => end = date_of(line),
            "SUMMARY" if in_event => {
                name = line.split_once(':').map(|(_, v)| v.replace("\\,", ",").replace("\\;", ";")).unwrap_or_default();
            }
            _ => {}
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seoul() -> Calendar {
        Calendar::office(chrono_tz::Asia::Seoul, builtin_holidays("KR"))
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn substitute_holidays_fall_on_weekdays_and_dates_are_sorted() {
        let mut last = NaiveDate::MIN;
        for (d, name) in KR_HOLIDAYS {
            let day: NaiveDate = d.parse().unwrap();
            assert!(day > last, "{d} out of order");
            last = day;
            if name.starts_with("Substitute") {
                assert!(!matches!(day.weekday(), Weekday::Sat | Weekday::Sun), "{d} {name}");
            }
        }
    }

    #[test]
    fn clocks_skip_the_weekend() {
        // Friday 17:00 in Seoul plus two business hours: Monday 10:00.
        let due = seoul().add(at("2026-11-20T17:00:00+09:00"), 2 * 3600);
        assert_eq!(due, at("2026-11-23T10:00:00+09:00"));
        assert_eq!(seoul().between(at("2026-11-20T17:00:00+09:00"), due), 2 * 3600);
        // Filed on Saturday: the clock starts Monday at nine.
        assert_eq!(seoul().add(at("2026-11-21T11:00:00+09:00"), 3600), at("2026-11-23T10:00:00+09:00"));
    }

    #[test]
    fn clocks_skip_chuseok_2026() {
        // Wednesday 23 September 2026, 17:00; Chuseok is Thursday 24 to Saturday 26.
        let due = seoul().add(at("2026-09-23T17:00:00+09:00"), 2 * 3600);
        assert_eq!(due, at("2026-09-28T10:00:00+09:00"));
        // Seollal 2027 falls on a Sunday: the substitute Tuesday is off too.
        let due = seoul().add(at("2027-02-05T17:00:00+09:00"), 2 * 3600);
        assert_eq!(due, at("2027-02-10T10:00:00+09:00"));
    }

    #[test]
    fn each_office_counts_in_its_own_time_zone() {
        // 23:00 on Monday in Seoul is 09:00 on Monday in New York (EST, UTC−5).
        let ny = Calendar::office(chrono_tz::America::New_York, []);
        let filed = at("2026-11-23T23:00:00+09:00");
        assert!(!seoul().is_open(filed));
        assert!(!ny.is_open(filed - Duration::seconds(1)));
        assert!(ny.is_open(filed));
        assert_eq!(ny.add(filed, 4 * 3600), at("2026-11-23T13:00:00-05:00"));
        assert_eq!(seoul().add(filed, 4 * 3600), at("2026-11-24T13:00:00+09:00"));
        // Across the change to daylight time in New York (8 March 2026): a working day is
        // still nine hours.
        let fri = at("2026-03-06T17:30:00-05:00");
        assert_eq!(ny.add(fri, 3600), at("2026-03-09T09:30:00-04:00"));
        assert_eq!(ny.between(fri, at("2026-03-09T09:30:00-04:00")), 3600);
    }

    #[test]
    fn icalendar_all_day_events_become_holidays() {
        let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261103\r\nSUMMARY:Culture\r\n  Day\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261229\r\nDTEND;VALUE=DATE:20270101\r\nSUMMARY:Year-end\\, closed\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let days = parse_ics(ics).unwrap();
        let dates: Vec<String> = days.iter().map(|(d, _)| d.to_string()).collect();
        assert_eq!(dates, ["2026-11-03", "2026-12-29", "2026-12-30", "2026-12-31"]);
        assert_eq!(days[0].1, "Culture Day");
        assert_eq!(days[1].1, "Year-end, closed");
        assert!(parse_ics("not a calendar").is_err());
    }
}
