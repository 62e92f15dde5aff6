//! The declared record kinds: what the checker resolves names against, what the data readers
//! validate records with, and what the evaluator indexes fields by.

pub use crate::ops::space::Shape;
use indexmap::IndexMap;
use std::fmt;
use std::sync::Arc;

/// Index of a kind in a [`Schema`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KindId(pub u32);

/// Index of a field within its kind: the slot a record stores its value in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FieldId(pub u32);

/// A value type.
#[derive(Debug, Clone, PartialEq)]
pub enum Type {
    /// Text.
    Str,
    /// A number without a unit.
    Num,
    /// `true` or `false`.
    Bool,
    /// A point in the media, in seconds.
    Time,
    /// A length of time, in seconds.
    Duration,
    /// One of a fixed set of names.
    Enum(Arc<EnumType>),
    /// A list of values of one type.
    List(Box<Type>),
    /// The id of a record of a kind (a `ref` field, or a record's own `id`).
    Ref(KindId),
    /// A record of a kind, bound by `for` or a quantifier.
    Record(KindId),
    /// A group of records of a kind sharing one key (a field's value, their item, or any
    /// expression of the record), with the key's type.
    Group(KindId, Box<Type>),
    /// A region of an image or frame: a box, a point or a polygon, in pixels.
    Shape(crate::ops::space::Shape),
    /// The type of an expression that already has an error; compatible with everything, so
    /// one mistake gives one diagnostic.
    Error,
}

/// The variants of an `enum { … }` field type.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumType {
    /// Where it was declared, as `kind.field`.
    pub owner: String,
    /// Variant names in declaration order.
    variants: Vec<Arc<str>>,
    /// Each variant's run-time value, made once: a record's enum field is a copy of one.
    values: Vec<crate::value::Value>,
}

impl EnumType {
    /// The enum of `variants`, declared as `owner` (`kind.field`).
    pub fn new(owner: String, variants: Vec<Arc<str>>) -> Self {
        let values = variants
            .iter()
            .map(|v| crate::value::Value::str(v))
            .collect();
        EnumType {
            owner,
            variants,
            values,
        }
    }

    /// The run-time value of a variant; `None` when `text` is not a variant.
    pub fn value(&self, text: &str) -> Option<&crate::value::Value> {
        let text = text.as_bytes();
        (self.variants.iter())
            .position(|v| crate::value::same_short_text(v.as_bytes(), text))
            .map(|i| &self.values[i])
    }

    /// Whether `text` is one of the variants.
    pub fn has(&self, text: &str) -> bool {
        self.value(text).is_some()
    }

    /// The variant names, in declaration order.
    pub fn variants(&self) -> &[Arc<str>] {
        &self.variants
    }
}

impl Type {
    /// Whether values of this type are numbers at run time.
    pub fn is_numeric(&self) -> bool {
        matches!(self, Type::Num | Type::Time | Type::Duration | Type::Error)
    }

    /// Whether values of this type are text at run time.
    pub fn is_textual(&self) -> bool {
        matches!(self, Type::Str | Type::Enum(_) | Type::Ref(_) | Type::Error)
    }
}

/// Shows a type as a user writes it; kind names need the schema, so this takes it along.
pub struct TypeDisplay<'a>(pub &'a Type, pub &'a Schema);

impl fmt::Display for TypeDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let schema = self.1;
        match self.0 {
            Type::Str => write!(f, "str"),
            Type::Num => write!(f, "num"),
            Type::Bool => write!(f, "bool"),
            Type::Time => write!(f, "time"),
            Type::Duration => write!(f, "duration"),
            Type::Shape(s) => write!(f, "{}", s.name()),
            Type::Enum(e) => write!(f, "enum of {}", e.owner),
            Type::List(t) => write!(f, "list<{}>", TypeDisplay(t, schema)),
            Type::Ref(k) => write!(f, "ref {}", schema.kind(*k).name),
            Type::Record(k) => write!(f, "{} record", schema.kind(*k).name),
            Type::Group(k, key) => {
                let kind = &schema.kind(*k).name;
                write!(f, "group of {kind} by {}", TypeDisplay(key, schema))
            }
            Type::Error => write!(f, "unknown"),
        }
    }
}

/// A declared field.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// Its name.
    pub name: String,
    /// Its type.
    pub ty: Type,
    /// Whether records may leave it out (or give `null`).
    pub optional: bool,
    /// Doc comment lines.
    pub doc: Vec<String>,
}

/// A declared record kind.
#[derive(Debug, Clone, PartialEq)]
pub struct Kind {
    /// The name records give in their `kind` field.
    pub name: String,
    /// Doc comment lines.
    pub doc: Vec<String>,
    /// Fields in declaration order; a field's index is its [`FieldId`].
    pub fields: IndexMap<String, Field>,
    /// The `start` and `end` fields when the kind declares both as `time`: such records are
    /// intervals and take part in time relations.
    pub interval: Option<(FieldId, FieldId)>,
}

impl Kind {
    /// The field with this id.
    pub fn field(&self, id: FieldId) -> &Field {
        &self.fields[id.0 as usize]
    }

    /// The id of a field by name.
    pub fn field_id(&self, name: &str) -> Option<FieldId> {
        self.fields.get_index_of(name).map(|i| FieldId(i as u32))
    }
}

/// All kinds of a rule pack.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Schema {
    kinds: IndexMap<String, Kind>,
}

impl Schema {
    /// Adds a kind; the caller has checked that the name is new.
    pub fn add(&mut self, kind: Kind) -> KindId {
        let (index, _) = self.kinds.insert_full(kind.name.clone(), kind);
        KindId(index as u32)
    }

    /// The kind with this id.
    pub fn kind(&self, id: KindId) -> &Kind {
        &self.kinds[id.0 as usize]
    }

    /// The id of a kind by name.
    pub fn kind_id(&self, name: &str) -> Option<KindId> {
        self.kinds.get_index_of(name).map(|i| KindId(i as u32))
    }

    /// All kinds with their ids.
    pub fn kinds(&self) -> impl Iterator<Item = (KindId, &Kind)> {
        self.kinds
            .values()
            .enumerate()
            .map(|(i, k)| (KindId(i as u32), k))
    }

    /// The number of kinds.
    pub fn len(&self) -> usize {
        self.kinds.len()
    }

    /// Whether no kind is declared.
    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty()
    }
}
