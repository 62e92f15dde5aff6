//! Problems with data records, found while reading and validating them.

use super::Origin;
use miette::Diagnostic;
use thiserror::Error;

/// A line or record that cannot be checked. The record is rejected; every other record is
/// still checked.
#[derive(Debug, Clone, PartialEq, Error, Diagnostic)]
pub enum DataError {
    /// `{"item": "c1", "kind": "speech",` (cut off)
    #[error("line is not valid JSON: {reason}")]
    #[diagnostic(
        code("cord::data::invalid-json"),
        help("each line must hold one complete JSON object")
    )]
    InvalidJson {
        /// What the JSON parser said.
        reason: String,
        /// Where.
        origin: Origin,
    },
    /// `[1, 2]`
    #[error("a record must be a JSON object, found {found}")]
    #[diagnostic(code("cord::data::not-an-object"))]
    NotAnObject {
        /// What was found.
        found: String,
        /// Where.
        origin: Origin,
    },
    /// A record without `item` or `kind`, or with one that is not text.
    #[error("record has no `{field}`")]
    #[diagnostic(
        code("cord::data::missing-field"),
        help("every record needs `item` and `kind` as strings")
    )]
    MissingBuiltIn {
        /// `item` or `kind`.
        field: String,
        /// Where.
        origin: Origin,
    },
    /// `"kind": "speeches"`
    #[error("unknown kind `{kind}`")]
    #[diagnostic(code("cord::data::unknown-kind"))]
    UnknownKind {
        /// The kind.
        kind: String,
        /// Did-you-mean.
        #[help]
        help: Option<String>,
        /// Where.
        origin: Origin,
    },
    /// A speech record without `speaker`.
    #[error("{kind} record `{id}` lacks the required field `{field}`")]
    #[diagnostic(code("cord::data::missing-field"))]
    MissingField {
        /// The record's kind.
        kind: String,
        /// The record's id.
        id: String,
        /// The field.
        field: String,
        /// Where.
        origin: Origin,
    },
    /// `"start": "0:01"`
    #[error("field `{field}` of {kind} record `{id}` should be {expected}, found {found}")]
    #[diagnostic(code("cord::data::wrong-type"))]
    WrongType {
        /// The record's kind.
        kind: String,
        /// The record's id.
        id: String,
        /// The field.
        field: String,
        /// What the schema declares.
        expected: String,
        /// What the record has.
        found: String,
        /// How the value was read instead, when it could be (the record is then checked).
        #[help]
        read_as: Option<String>,
        /// Where.
        origin: Origin,
    },
    /// `"sentiment": "postive"`
    #[error("`{value}` is not a value of `{kind}.{field}`")]
    #[diagnostic(code("cord::data::not-in-enum"))]
    NotInEnum {
        /// The record's kind.
        kind: String,
        /// The field.
        field: String,
        /// The value.
        value: String,
        /// Did-you-mean or the values.
        #[help]
        help: Option<String>,
        /// Where.
        origin: Origin,
    },
    /// `"start": 5, "end": 4`
    #[error("{kind} record `{id}` ends before it starts ({start} > {end})")]
    #[diagnostic(code("cord::data::reversed-interval"))]
    ReversedInterval {
        /// The record's kind.
        kind: String,
        /// The record's id.
        id: String,
        /// Its start.
        start: String,
        /// Its end.
        end: String,
        /// Where.
        origin: Origin,
    },
    /// Two records with one id in one item.
    #[error("id `{id}` is used twice in item `{item}` (first on line {first_line})")]
    #[diagnostic(
        code("cord::data::duplicate-id"),
        help("ids must be unique within an item; the second record is not checked")
    )]
    DuplicateId {
        /// The id.
        id: String,
        /// The item.
        item: String,
        /// Line of the first record with this id.
        first_line: u32,
        /// Where the second is.
        origin: Origin,
    },
    /// A part of a subtitle, TextGrid or other non-JSON file that does not follow its format.
    #[error("{format}: {message}")]
    #[diagnostic(code("cord::data::malformed"))]
    Malformed {
        /// The file's format.
        format: String,
        /// What is wrong.
        message: String,
        /// How to fix it.
        #[help]
        help: Option<String>,
        /// Where.
        origin: Origin,
    },
    /// A subtitle, TextGrid, ELAN, CVAT or Label Studio file, or a CSV or JSON data set, larger
    /// than [`crate::Limits::max_document_bytes`]: such formats are read whole, and hold many
    /// times their size while they are.
    #[error("this {format} file is larger than the {limit} bytes a whole file of its format may have; it was not read")]
    #[diagnostic(
        code("cord::data::file-too-large"),
        help("split it into several files, export it as JSON Lines (read as it streams), or raise the limit with `--max-document-bytes`")
    )]
    FileTooLarge {
        /// The file's format.
        format: String,
        /// The limit.
        limit: u64,
        /// The file.
        origin: Origin,
    },
    /// A subtitle or TextGrid file checked with a schema that declares none of the kinds its
    /// format gives: nothing in it would be checked.
    #[error("the schema declares none of the kinds a {format} file gives ({kinds})")]
    #[diagnostic(
        code("cord::data::no-declared-kind"),
        help("declare the kinds to check in the pack's schema (docs/formats.md lists each format's records), or pass --input-format if the file's extension misleads")
    )]
    NoDeclaredKind {
        /// The format.
        format: String,
        /// The kinds it gives.
        kinds: String,
        /// The file.
        origin: Origin,
    },
    /// `"waive": ["speech-needs-transcript"]` (no reason)
    #[error("record `{id}` has a waiver without a reason: `{text}`")]
    #[diagnostic(
        code("cord::data::bad-waiver"),
        help("write `\"waive\": [\"rule-id: why its finding here is acceptable\"]`; until then it waives nothing (the record is checked as usual)")
    )]
    BadWaiver {
        /// The record.
        id: String,
        /// The waiver as written.
        text: String,
        /// Where.
        origin: Origin,
    },
    /// A waiver that no finding needed: the rule found nothing on the record, or there is no
    /// such rule.
    #[error("record `{id}` waives `{rule}`, which {why}")]
    #[diagnostic(
        code("cord::data::stale-waiver"),
        help("remove the waiver, or correct the rule's name")
    )]
    StaleWaiver {
        /// The record.
        id: String,
        /// The rule it names.
        rule: String,
        /// Why it matches nothing.
        why: String,
        /// Where.
        origin: Origin,
    },
    /// `"segment": "t9"` in a field declared `ref transcript`, where the item has no
    /// transcript `t9`. The record is still checked.
    #[error("field `{field}` of {kind} record `{id}` refers to {target} `{missing}`, which item `{item}` does not have")]
    #[diagnostic(
        code("cord::data::dangling-reference"),
        help("a `ref` field holds the id of a record of that kind in the same item; correct the id, or add the record")
    )]
    DanglingReference {
        /// The record's kind.
        kind: String,
        /// The record's id.
        id: String,
        /// The field.
        field: String,
        /// The kind it refers to.
        target: String,
        /// The id no record has.
        missing: String,
        /// The item.
        item: String,
        /// Where.
        origin: Origin,
    },
    /// A line longer than [`crate::Limits::max_line_bytes`]: skipped as it was read, never
    /// held whole.
    #[error("line of {bytes} bytes is longer than the {limit} allowed; it was skipped")]
    #[diagnostic(
        code("cord::data::line-too-long"),
        help("a record is one line of JSON; if this one is real, raise the limit with `--max-line-bytes`")
    )]
    LineTooLong {
        /// The line's length.
        bytes: u64,
        /// The limit.
        limit: usize,
        /// Where.
        origin: Origin,
    },
    /// A record with more fields than [`crate::Limits::max_fields`].
    #[error("record has {count} fields, more than the {limit} allowed")]
    #[diagnostic(
        code("cord::data::too-many-fields"),
        help("raise the limit with `--max-fields` if the records are meant to be this wide")
    )]
    TooManyFields {
        /// How many it has.
        count: usize,
        /// The limit.
        limit: usize,
        /// Where.
        origin: Origin,
    },
    /// A list field longer than [`crate::Limits::max_list_len`].
    #[error(
        "field `{field}` of {kind} record `{id}` holds {len} values, more than the {limit} allowed"
    )]
    #[diagnostic(
        code("cord::data::list-too-long"),
        help("raise the limit with `--max-list-len` if the lists are meant to be this long")
    )]
    ListTooLong {
        /// The record's kind.
        kind: String,
        /// The record's id.
        id: String,
        /// The field.
        field: String,
        /// The list's length.
        len: usize,
        /// The limit.
        limit: usize,
        /// Where.
        origin: Origin,
    },
    /// An item with more records than [`crate::Limits::max_item_records`]: every record of an
    /// item is held while it is evaluated, so one huge item would take memory without bound.
    #[error("item `{item}` has more than {limit} records; none of its records was checked")]
    #[diagnostic(
        code("cord::data::item-too-large"),
        help("an item is evaluated with all its records in memory (about 700 bytes each); split it into smaller items (a clip per item), or raise the limit with `--max-item-records`")
    )]
    ItemTooLarge {
        /// The item.
        item: String,
        /// The limit.
        limit: usize,
        /// The record that passed it.
        origin: Origin,
    },
    /// An item read again whole (evaluated before the input turned out not to be grouped)
    /// whose records pass [`crate::Limits::max_grouping_bytes`].
    #[error("item `{item}` reappears, but {limit} bytes of records are already held for grouping; this record was not checked")]
    #[diagnostic(
        code("cord::data::grouping-limit"),
        help("sort the input by item (`sort` on the item field, or the exporter's order) so that items need not be grouped, or raise the limit with `--max-grouping-bytes`")
    )]
    GroupingLimit {
        /// The item.
        item: String,
        /// The limit.
        limit: u64,
        /// Where.
        origin: Origin,
    },
    /// A record out of item order in input promised to be in it (`--stream`): findings of the
    /// items from here on are final only at the end of the run.
    #[error("item `{item}` comes after item `{after}`: the input is not in item order, so the findings of items from here on are written at the end")]
    #[diagnostic(
        code("cord::data::out-of-order"),
        help("`--stream` needs every input in item order, the natural order of item names (`clip 2` before `clip 10`), each item's records together; sort the input by item, or leave out `--stream` to have the run group items in any order")
    )]
    OutOfOrder {
        /// The item of the record.
        item: String,
        /// The item read before it.
        after: String,
        /// Where.
        origin: Origin,
    },
    /// Records of input not grouped by item could not be put aside in temporary files (the
    /// directory cannot be written, or the disk is full): the run stops short of checking
    /// them rather than giving a partial result.
    #[error("cannot put records aside in `{dir}`: {reason}; the items whose records were put aside are not checked")]
    #[diagnostic(
        code("cord::data::spill-failed"),
        help("input not grouped by item is grouped on disk: point TMPDIR at a directory with room, raise `--memory-limit` so that fewer records go to disk, or sort the input by item so that none need to")
    )]
    SpillFailed {
        /// The directory temporary files go to.
        dir: String,
        /// What the system said.
        reason: String,
        /// The first source.
        origin: Origin,
    },
    /// A data file that cannot be opened or read.
    #[error("cannot read `{path}`: {reason}")]
    #[diagnostic(code("cord::data::unreadable"))]
    Unreadable {
        /// The file.
        path: String,
        /// What the system said.
        reason: String,
        /// Where reading stopped.
        origin: Origin,
    },
}

impl DataError {
    /// The diagnostic of a value that did not fit but was read anyway, saying how.
    pub(crate) fn read_as(mut self, value: &crate::value::Value) -> Self {
        if let DataError::WrongType { read_as, .. } = &mut self {
            *read_as = Some(format!("read as `{value}`; the record is checked with it"));
        }
        self
    }

    /// Whether a whole input was left unread (it could not be opened or read, or is too large
    /// to read whole): the command line then exits with status 2, as for a missing file.
    pub fn is_unread_input(&self) -> bool {
        matches!(
            self,
            DataError::Unreadable { .. }
                | DataError::FileTooLarge { .. }
                | DataError::SpillFailed { .. }
        )
    }

    /// Where the problem is.
    pub fn origin(&self) -> Origin {
        use DataError::*;
        match self {
            InvalidJson { origin, .. }
            | NotAnObject { origin, .. }
            | MissingBuiltIn { origin, .. }
            | UnknownKind { origin, .. }
            | MissingField { origin, .. }
            | WrongType { origin, .. }
            | NotInEnum { origin, .. }
            | ReversedInterval { origin, .. }
            | DuplicateId { origin, .. }
            | Malformed { origin, .. }
            | FileTooLarge { origin, .. }
            | NoDeclaredKind { origin, .. }
            | BadWaiver { origin, .. }
            | StaleWaiver { origin, .. }
            | DanglingReference { origin, .. }
            | LineTooLong { origin, .. }
            | TooManyFields { origin, .. }
            | ListTooLong { origin, .. }
            | GroupingLimit { origin, .. }
            | OutOfOrder { origin, .. }
            | ItemTooLarge { origin, .. }
            | SpillFailed { origin, .. }
            | Unreadable { origin, .. } => *origin,
        }
    }

    /// The record field the problem is about, for pointing at it in the line.
    pub fn field(&self) -> Option<&str> {
        use DataError::*;
        match self {
            MissingBuiltIn { field, .. }
            | WrongType { field, .. }
            | NotInEnum { field, .. }
            | ListTooLong { field, .. } => Some(field),
            UnknownKind { .. } => Some("kind"),
            ReversedInterval { .. } => Some("end"),
            DanglingReference { field, .. } => Some(field),
            DuplicateId { .. } => Some("id"),
            _ => None,
        }
    }

    /// The stable code, as in the JSON output.
    pub fn code_str(&self) -> String {
        self.code().map(|c| c.to_string()).unwrap_or_default()
    }
}
