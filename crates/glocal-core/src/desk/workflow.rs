//! The six steps of a request as states, and every allowed move between them in one table.
//!
//! ```text
//! submitted ─register→ registered ─assign_department→ department_assigned ─assign_staff→ staff_assigned
//!   staff_assigned ─interim_response→ interim_responded (again and again) ─final_response→ answered ─close→ closed
//!   hold: registered … interim_responded → on_hold ─resume→ (where it was)
//!   transfer: department_assigned … interim_responded → department_assigned (another unit)
//!   withdraw: any open state → withdrawn;  reopen: answered | closed → staff_assigned (within N days)
//! ```

use serde::{Deserialize, Serialize};

use crate::error::ErrorCode;

macro_rules! str_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $s:literal,)* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant,)* }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];
            pub fn as_str(self) -> &'static str { match self { $($name::$variant => $s,)* } }
            pub fn parse(s: &str) -> std::result::Result<$name, ErrorCode> {
                match s.trim() { $($s => Ok($name::$variant),)* _ => Err(ErrorCode::InvalidChoice) }
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.as_str()) }
        }
    };
}
pub(crate) use str_enum;

str_enum! {
    /// Where a request stands.
    State {
        Submitted => "submitted",
        Registered => "registered",
        DepartmentAssigned => "department_assigned",
        StaffAssigned => "staff_assigned",
        InterimResponded => "interim_responded",
        Answered => "answered",
        Closed => "closed",
        OnHold => "on_hold",
        Withdrawn => "withdrawn",
    }
}

str_enum! {
    /// What someone does to a request's state.
    Transition {
        Register => "register",
        AssignDepartment => "assign_department",
        AssignStaff => "assign_staff",
        InterimResponse => "interim_response",
        FinalResponse => "final_response",
        Close => "close",
        Reopen => "reopen",
        Hold => "hold",
        Resume => "resume",
        Transfer => "transfer",
        Withdraw => "withdraw",
    }
}

/// Where a transition leads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    To(State),
    /// Back to the state the request was in when it was put on hold.
    Resume,
}

use State::*;
use Transition::*;

/// Every allowed move. Anything not listed is refused with `transition_not_allowed`.
pub const TRANSITIONS: &[(State, Transition, Target)] = &[
    (Submitted, Register, Target::To(Registered)),
    (Registered, AssignDepartment, Target::To(DepartmentAssigned)),
    (DepartmentAssigned, AssignStaff, Target::To(StaffAssigned)),
    // A manager may give the request to another staff member.
    (StaffAssigned, AssignStaff, Target::To(StaffAssigned)),
    (InterimResponded, AssignStaff, Target::To(InterimResponded)),
    (StaffAssigned, InterimResponse, Target::To(InterimResponded)),
    (InterimResponded, InterimResponse, Target::To(InterimResponded)),
    (StaffAssigned, FinalResponse, Target::To(Answered)),
    (InterimResponded, FinalResponse, Target::To(Answered)),
    (Answered, Close, Target::To(Closed)),
    (Answered, Reopen, Target::To(StaffAssigned)),
    (Closed, Reopen, Target::To(StaffAssigned)),
    (Registered, Hold, Target::To(OnHold)),
    (DepartmentAssigned, Hold, Target::To(OnHold)),
    (StaffAssigned, Hold, Target::To(OnHold)),
    (InterimResponded, Hold, Target::To(OnHold)),
    (OnHold, Resume, Target::Resume),
    (DepartmentAssigned, Transfer, Target::To(DepartmentAssigned)),
    (StaffAssigned, Transfer, Target::To(DepartmentAssigned)),
    (InterimResponded, Transfer, Target::To(DepartmentAssigned)),
    (Submitted, Withdraw, Target::To(Withdrawn)),
    (Registered, Withdraw, Target::To(Withdrawn)),
    (DepartmentAssigned, Withdraw, Target::To(Withdrawn)),
    (StaffAssigned, Withdraw, Target::To(Withdrawn)),
    (InterimResponded, Withdraw, Target::To(Withdrawn)),
    (OnHold, Withdraw, Target::To(Withdrawn)),
];

/// Where `transition` takes a request in `from`, or why it cannot.
pub fn target(from: State, transition: Transition) -> Result<Target, ErrorCode> {
    TRANSITIONS
        .iter()
        .find(|(f, t, _)| *f == from && *t == transition)
        .map(|(_, _, to)| *to)
        .ok_or(ErrorCode::TransitionNotAllowed)
}

/// The transitions allowed from `from` (for showing the actions a page offers).
pub fn allowed_from(from: State) -> Vec<Transition> {
    let mut out: Vec<Transition> = TRANSITIONS.iter().filter(|(f, _, _)| *f == from).map(|(_, t, _)| *t).collect();
    out.dedup();
    out
}

impl State {
    /// Still waiting for the association.
    pub fn is_open(self) -> bool {
        !matches!(self, Answered | Closed | Withdrawn)
    }

    /// The step of the six (1–6) drawn on the progress line; 0 for states outside it.
    pub fn step(self) -> u8 {
        match self {
            Submitted => 0,
            Registered => 1,
            DepartmentAssigned => 2,
            StaffAssigned => 3,
            InterimResponded => 4,
            Answered => 5,
            Closed => 6,
            OnHold | Withdrawn => 0,
        }
    }
}

impl Transition {
    /// Whether the requester (of the request's organisation) may do it; every other
    /// transition is the desk staff's.
    pub fn by_requester(self) -> bool {
        matches!(self, Close | Reopen | Withdraw | Resume)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_six_steps_follow_each_other() {
        let mut s = Submitted;
        for t in [Register, AssignDepartment, AssignStaff, InterimResponse, InterimResponse, FinalResponse, Close] {
            s = match target(s, t).unwrap() {
                Target::To(n) => n,
                Target::Resume => unreachable!(),
            };
        }
        assert_eq!(s, Closed);
    }

    #[test]
    fn forbidden_moves_are_refused_and_finished_requests_stay_finished() {
        assert_eq!(target(Submitted, FinalResponse), Err(ErrorCode::TransitionNotAllowed));
        assert_eq!(target(Withdrawn, Reopen), Err(ErrorCode::TransitionNotAllowed));
        assert_eq!(target(OnHold, FinalResponse), Err(ErrorCode::TransitionNotAllowed));
        for t in Transition::ALL {
            assert!(target(Withdrawn, *t).is_err(), "withdrawn must be final, but {t} is allowed");
        }
        // The table has no duplicate (state, transition) pairs.
        let mut seen = std::collections::HashSet::new();
        for (f, t, _) in TRANSITIONS {
            assert!(seen.insert((*f, *t)), "duplicate row {f} {t}");
        }
    }
}
