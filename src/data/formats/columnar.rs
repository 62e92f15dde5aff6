//! Parquet and Arrow IPC files of canonical records: one row per record, a column per field
//! (`item`, `kind`, `id`, then the fields of every kind, null where a kind has none), as
//! `concordant convert` writes JSON Lines. Rows are numbered from 1 in place of lines.
//!
//! Columns are read through arrow-rs: each record batch is taken column by column into the
//! values records hold ([`Lite`]), so no JSON is written or parsed on the way. A column of a
//! type records cannot hold (a date, a map, a decimal) is reported once and left out.

use super::{InputFormat, Out};
use crate::data::{DataError, Line, Lite, Origin, SourceId};
use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type, UInt16Type, UInt32Type,
    UInt64Type, UInt8Type,
};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, TimeUnit};
use std::borrow::Cow;

/// The record batches of a Parquet or Arrow IPC file, read as they are needed.
pub struct Table {
    batches: Box<dyn Iterator<Item = Result<RecordBatch, String>> + Send>,
    format: InputFormat,
    source: SourceId,
    /// Rows given so far.
    rows: usize,
    /// Columns reported as holding no field, so each is reported once.
    reported: Vec<String>,
}

/// Rows per batch: enough to share out among threads, few enough to keep memory small.
const BATCH_ROWS: usize = 16 * 1024;

impl Table {
    /// Opens a Parquet file (anything parquet's readers read: a file, bytes).
    pub fn parquet<R: parquet::file::reader::ChunkReader + 'static>(
        reader: R,
        source: SourceId,
    ) -> Result<Table, String> {
        use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
        let builder =
            ParquetRecordBatchReaderBuilder::try_new(reader).map_err(|e| e.to_string())?;
        let reader = (builder.with_batch_size(BATCH_ROWS).build()).map_err(|e| e.to_string())?;
        let batches = reader.map(|b| b.map_err(|e| e.to_string()));
        Ok(Table::new((InputFormat::Parquet, source), batches))
    }

    /// Opens an Arrow IPC file (`ARROW1` first) or stream.
    pub fn arrow<R: std::io::Read + std::io::Seek + Send + 'static>(
        mut reader: R,
        source: SourceId,
    ) -> Result<Table, String> {
        use arrow_ipc::reader::{FileReader, StreamReader};
        let mut magic = [0u8; 6];
        let is_file =
            std::io::Read::read_exact(&mut reader, &mut magic).is_ok() && &magic == b"ARROW1";
        std::io::Seek::rewind(&mut reader).map_err(|e| e.to_string())?;
        let batches = |e: arrow_schema::ArrowError| e.to_string();
        if is_file {
            let reader = FileReader::try_new(reader, None).map_err(batches)?;
            Ok(Table::new(
                (InputFormat::Arrow, source),
                reader.map(move |b| b.map_err(batches)),
            ))
        } else {
            let reader =
                StreamReader::try_new(std::io::BufReader::new(reader), None).map_err(batches)?;
            Ok(Table::new(
                (InputFormat::Arrow, source),
                reader.map(move |b| b.map_err(batches)),
            ))
        }
    }

    fn new(
        (format, source): (InputFormat, SourceId),
        batches: impl Iterator<Item = Result<RecordBatch, String>> + Send + 'static,
    ) -> Table {
        Table {
            batches: Box::new(batches),
            format,
            source,
            rows: 0,
            reported: Vec::new(),
        }
    }

    /// The next batch of rows, ready to be turned into records (on any thread), with the
    /// columns no field can hold reported through `problem` the first time each is seen; or
    /// why the rest cannot be read (reading stops there).
    pub fn next_rows(
        &mut self,
        problem: &mut dyn FnMut(DataError),
    ) -> Option<Result<Rows, DataError>> {
        let batch = match self.batches.next()? {
            Ok(batch) => batch,
            Err(e) => {
                let message = format!("the rows after row {} cannot be read: {e}", self.rows);
                return Some(Err(self.malformed(message, self.rows + 1)));
            }
        };
        let columns = self.readable_columns(&batch, problem);
        let first_row = self.rows + 1;
        self.rows += batch.num_rows();
        Some(Ok(Rows {
            columns,
            source: self.source,
            first_row,
            len: batch.num_rows(),
        }))
    }

    fn malformed(&self, message: String, row: usize) -> DataError {
        DataError::Malformed {
            format: super::format_title(self.format).into(),
            message,
            help: None,
            origin: Origin::line(self.source, row as u32),
        }
    }

    /// The batch's columns records can hold; each other column is reported the first time it
    /// is seen.
    fn readable_columns(
        &mut self,
        batch: &RecordBatch,
        problem: &mut dyn FnMut(DataError),
    ) -> Vec<Column> {
        let schema = batch.schema();
        let mut columns = Vec::with_capacity(batch.num_columns());
        for (field, array) in schema.fields().iter().zip(batch.columns()) {
            let name = field.name();
            if holds(array.data_type()) {
                columns.push(Column::new(name, array));
            } else if !self.reported.contains(name) {
                self.reported.push(name.clone());
                let message = format!(
                    "column `{name}` is of type {}, which a record field cannot hold; it is left out",
                    array.data_type()
                );
                let mut error = self.malformed(message, 0);
                if let DataError::Malformed { help, .. } = &mut error {
                    *help = Some("record fields are numbers, strings, booleans and lists of them; write times as seconds (a number) and other values as strings".into());
                }
                problem(error);
            }
        }
        columns
    }
}

/// A batch of rows, each a record.
pub struct Rows {
    columns: Vec<Column>,
    /// The file.
    pub source: SourceId,
    /// The number of the first row in its file, from 1.
    pub first_row: usize,
    /// How many rows.
    pub len: usize,
}

impl Rows {
    /// The row `index` of the batch (from 0) as a record's fields, null columns left out;
    /// names and strings are borrowed from the batch.
    pub fn line(&self, index: usize) -> Line<'_> {
        let entries = (self.columns.iter())
            .filter(|column| !column.array.is_null(index))
            .map(|column| (Cow::Borrowed(&*column.name), column.value(index)))
            .collect();
        Line::Object(entries)
    }
}

/// Reads a Parquet file's rows (held in memory: `convert`, and the library's bytes).
pub(super) fn read_parquet(bytes: &[u8], out: &mut Out) {
    let table = Table::parquet(bytes::Bytes::copy_from_slice(bytes), out.source);
    read_table(InputFormat::Parquet, table, out);
}

/// Reads an Arrow IPC file's or stream's rows (held in memory).
pub(super) fn read_arrow(bytes: &[u8], out: &mut Out) {
    let table = Table::arrow(std::io::Cursor::new(bytes.to_vec()), out.source);
    read_table(InputFormat::Arrow, table, out);
}

/// Why a file of a columnar format cannot be opened.
pub fn unopenable(format: InputFormat, reason: &str) -> (String, String) {
    let message = format!(
        "the {} file cannot be read: {reason}",
        super::format_title(format)
    );
    let help = "is it a whole file of this format? A file cut short loses its footer".to_string();
    (message, help)
}

fn read_table(format: InputFormat, table: Result<Table, String>, out: &mut Out) {
    let mut table = match table {
        Ok(table) => table,
        Err(e) => {
            let (message, help) = unopenable(format, &e);
            return out.malformed(format, 0, message, Some(help));
        }
    };
    let mut problems = Vec::new();
    while let Some(rows) = table.next_rows(&mut |e| problems.push(e)) {
        for problem in problems.drain(..) {
            let origin = problem.origin();
            (out.emit)(Err(problem), origin);
        }
        match rows {
            Ok(rows) => {
                for index in 0..rows.len {
                    let origin = out.origin(rows.first_row + index);
                    (out.emit)(Ok(rows.line(index).into_owned()), origin);
                }
            }
            Err(e) => {
                let origin = e.origin();
                return (out.emit)(Err(e), origin);
            }
        }
    }
}

/// A column of a batch, as record fields.
struct Column {
    /// The field's name.
    name: String,
    array: ArrayRef,
    /// For a dictionary-encoded column: its values and each row's index into them, worked
    /// out once per batch.
    dictionary: Option<(ArrayRef, Vec<usize>)>,
}

impl Column {
    fn new(name: &str, array: &ArrayRef) -> Column {
        let dictionary =
            (array.as_any_dictionary_opt()).map(|d| (d.values().clone(), d.normalized_keys()));
        Column {
            name: name.to_string(),
            array: array.clone(),
            dictionary,
        }
    }

    /// The value at `row`, which is not null.
    fn value(&self, row: usize) -> Lite<'_> {
        match &self.dictionary {
            Some((values, keys)) => value(values.as_ref(), keys[row]),
            None => value(self.array.as_ref(), row),
        }
    }
}

/// Whether values of this type can be a record's field.
fn holds(data_type: &DataType) -> bool {
    use DataType as T;
    match data_type {
        T::Null | T::Boolean | T::Utf8 | T::LargeUtf8 | T::Utf8View | T::Struct(_) => true,
        T::Int8 | T::Int16 | T::Int32 | T::Int64 => true,
        T::UInt8 | T::UInt16 | T::UInt32 | T::UInt64 => true,
        T::Float32 | T::Float64 | T::Duration(_) => true,
        T::List(f) | T::LargeList(f) | T::FixedSizeList(f, _) => holds(f.data_type()),
        T::Dictionary(_, values) => matches!(**values, T::Utf8 | T::LargeUtf8),
        _ => false,
    }
}

/// The value at `row` of a column [`holds`] accepts and that is not null there.
fn value(array: &dyn Array, row: usize) -> Lite<'_> {
    use DataType as T;
    if array.is_null(row) {
        return Lite::Null;
    }
    let text = |s| Lite::Str(Cow::Borrowed(s));
    match array.data_type() {
        T::Boolean => Lite::Bool(array.as_boolean().value(row)),
        T::Int8 => Lite::Int(array.as_primitive::<Int8Type>().value(row).into()),
        T::Int16 => Lite::Int(array.as_primitive::<Int16Type>().value(row).into()),
        T::Int32 => Lite::Int(array.as_primitive::<Int32Type>().value(row).into()),
        T::Int64 => Lite::Int(array.as_primitive::<Int64Type>().value(row)),
        T::UInt8 => Lite::Int(array.as_primitive::<UInt8Type>().value(row).into()),
        T::UInt16 => Lite::Int(array.as_primitive::<UInt16Type>().value(row).into()),
        T::UInt32 => Lite::Int(array.as_primitive::<UInt32Type>().value(row).into()),
        T::UInt64 => Lite::UInt(array.as_primitive::<UInt64Type>().value(row)),
        T::Float32 => Lite::Float(array.as_primitive::<Float32Type>().value(row).into()),
        T::Float64 => Lite::Float(array.as_primitive::<Float64Type>().value(row)),
        T::Duration(unit) => Lite::Float(seconds(array, *unit, row)),
        T::Utf8 => text(array.as_string::<i32>().value(row)),
        T::LargeUtf8 => text(array.as_string::<i64>().value(row)),
        T::Utf8View => text(array.as_string_view().value(row)),
        T::List(_) => list(array.as_list::<i32>().value(row)),
        T::LargeList(_) => list(array.as_list::<i64>().value(row)),
        T::FixedSizeList(_, _) => list(array.as_fixed_size_list().value(row)),
        T::Struct(_) => Lite::Object(None),
        _ => Lite::Null,
    }
}

/// A list's values, owned: the list's array is made for the call.
fn list(values: ArrayRef) -> Lite<'static> {
    let values = (0..values.len()).map(|i| value(values.as_ref(), i).into_owned());
    Lite::Array(values.collect())
}

/// A duration in seconds, the unit of `time` fields.
fn seconds(array: &dyn Array, unit: TimeUnit, row: usize) -> f64 {
    use arrow_array::types::{
        DurationMicrosecondType, DurationMillisecondType, DurationNanosecondType,
        DurationSecondType,
    };
    match unit {
        TimeUnit::Second => array.as_primitive::<DurationSecondType>().value(row) as f64,
        TimeUnit::Millisecond => {
            array.as_primitive::<DurationMillisecondType>().value(row) as f64 / 1e3
        }
        TimeUnit::Microsecond => {
            array.as_primitive::<DurationMicrosecondType>().value(row) as f64 / 1e6
        }
        TimeUnit::Nanosecond => {
            array.as_primitive::<DurationNanosecondType>().value(row) as f64 / 1e9
        }
    }
}
