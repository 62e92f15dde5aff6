//! The fast path held to the general path: equal records, or a give-up, on generated lines.
use super::*;
use crate::data::{parse_line, SourceId};
use crate::schema::{FieldId, Schema};
use proptest::prelude::*;

fn schema() -> Arc<Schema> {
    let pack = crate::Pack::from_source(
        "schema.cord",
        "schema { kind s { start: time, end: time, who: str, tags: list<str>?, \
         mood: enum { up, down }, ok: bool? } }",
    )
    .expect("schema compiles");
    pack.plan.schema.clone()
}

/// The fast path gives the general path's record, or gives up; returns whether it read
/// the line itself.
fn agree(line: &str) -> bool {
    agree_in(schema(), line)
}

/// [`agree`] under another schema.
fn agree_in(schema: Arc<Schema>, line: &str) -> bool {
    let validator = Validator::new(schema);
    let origin = Origin::line(SourceId(0), 1);
    let fast = record(&validator, line, origin, &mut Shared::default());
    let general = parse_line(line.as_bytes(), origin).ok().and_then(|l| {
        validator
            .record(&l, origin, String::new, &mut Shared::default())
            .ok()
    });
    if let Some(fast) = &fast {
        assert_eq!(Some(fast), general.as_ref(), "{line}");
    }
    fast.is_some()
}

#[test]
fn plain_lines_take_the_fast_path_and_agree_with_the_general_path() {
    let plain = [
        r#"{"item":"a","kind":"s","id":"1","start":0.1,"end":2,"who":"x","mood":"up"}"#,
        r#"{"kind":"s","who":"x\ny","item":"a","id":"1","start":0,"end":1e2,"mood":"down","tags":["a","b"],"ok":true}"#,
        r#"{"item":"a","kind":"s","id":"1","start":0,"end":1,"who":"x","mood":"up","who":"z","extra":{"n":[1,{}]}}"#,
        r#"{"item":"a","kind":"s","id":"1","start":0,"end":1,"who":"x","mood":"up","tags":null,"ok":null}"#,
        r#" {"item":"a","kind":"s","id":"1","start":0.30000000000000004,"end":0.7,"who":"x","mood":"up"} "#,
    ];
    for line in plain {
        assert!(agree(line), "the fast path should read {line}");
    }
}

#[test]
fn unusual_lines_are_left_to_the_general_path() {
    let unusual = [
        r#"{"item":"a","kind":"s","id":"1","start":0,"end":1,"who":"x","mood":"sideways"}"#,
        r#"{"item":"a","kind":"s","id":7,"start":0,"end":1,"who":"x","mood":"up"}"#,
        r#"{"item":"a","kind":"s","id":"1","start":2,"end":1,"who":"x","mood":"up"}"#,
        r#"{"item":"a","kind":"s","id":"1","start":0,"end":1,"who":null,"mood":"up"}"#,
        r#"{"item":"a","kind":"s","id":"1","start":0,"end":1,"mood":"up"}"#,
        r#"{"item":"a","kind":"t","id":"1"}"#,
        r#"{"item":"a","kind":"s"} trailing"#,
        "[1, 2]",
    ];
    for line in unusual {
        assert!(!agree(line), "the fast path should give up on {line}");
    }
}

#[test]
fn boxes_written_as_objects_read_alike_on_both_paths() {
    let pack = crate::Pack::from_source("schema.cord", "schema { kind b { box: box } }");
    let schema = pack.expect("schema compiles").plan.schema.clone();
    let line = |b: &str| format!(r#"{{"item":"a","kind":"b","id":"1","box":{b}}}"#);
    let read = [
        r#"{"x":1,"y":2,"width":3,"height":4}"#,
        r#"{ "height" : 4, "width": 3, "y": 2, "x": 1 }"#,
        r#"{"x":1,"y":2,"w":3,"h":4,"rotation":30}"#,
        r#"{"x":1,"y":2,"w":3,"h":4,"rotation":0}"#,
        r#"{"x1":1,"y1":2,"x2":4,"y2":6}"#,
        r#"{"xmin":1,"ymin":2,"xmax":4,"ymax":6}"#,
    ];
    for b in read {
        assert!(
            agree_in(schema.clone(), &line(b)),
            "the fast path should read {b}"
        );
    }
    let left = [
        r#"{"x":1,"y":2,"width":3}"#,
        r#"{"x":1,"y":2,"width":3,"height":"4"}"#,
        r#"{"x":1,"y":2,"width":3,"height":4,"z":5}"#,
        r#"{"x1":1,"y1":2,"x2":4,"y2":6,"rotation":9}"#,
        r#"{"\u0078":1,"y":2,"width":3,"height":4}"#,
        r#"{"x":1,"y":2,"width":3,"height":4,"rotation":1,"extra":2}"#,
        "{}",
    ];
    for b in left {
        assert!(
            !agree_in(schema.clone(), &line(b)),
            "the fast path should give up on {b}"
        );
    }
}

#[test]
fn numbers_read_exactly_as_serde_json_reads_them() {
    let validator = Validator::new(schema());
    for text in [
        "0.1",
        "0.2000000001",
        "1.2",
        "59.99999999999999",
        "1e-7",
        "123.456789012345678",
        "-0",
        "-0.0",
        "0.000",
        "999999999999999",
        "99999999999999.9",
        "9999999999999999",
        "0.000000000000001",
        "1.7976931348623157",
    ] {
        let line = format!(
            r#"{{"item":"a","kind":"s","id":"1","start":{text},"end":1e300,"who":"x","mood":"up"}}"#
        );
        let fast = record(&validator, &line, Origin::default(), &mut Shared::default())
            .expect("a plain line");
        let expected: f64 = serde_json::from_str(text).expect("a number");
        assert_eq!(fast.num(FieldId(0)).to_bits(), expected.to_bits(), "{text}");
    }
}

/// A JSON string literal for `text`, escaping what must be and, at random, more.
fn json_string(text: &str, escape_more: bool) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '/' if escape_more => out.push_str("\\/"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if escape_more && !c.is_ascii_alphanumeric() => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04X}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A JSON value text: mostly well-formed values of every type a field can have, some
/// malformed.
fn value_text() -> impl Strategy<Value = String> {
    let text = "[a-z \"\\\\/\\n\\t\\r\\u{8}\\u{c}\\u{1}é€😀]{0,12}";
    let number = "-?(0|[1-9][0-9]{0,19})(\\.[0-9]{1,20})?([eE][+-]?[0-9]{1,3})?";
    let leaf = prop_oneof![
        4 => (text, any::<bool>()).prop_map(|(t, more)| json_string(&t, more)),
        4 => number.prop_map(|n| n.to_string()),
        1 => prop_oneof![Just("up"), Just("down"), Just("sideways")]
            .prop_map(|v| format!("\"{v}\"")),
        1 => prop_oneof![Just("true"), Just("false"), Just("null")].prop_map(String::from),
        1 => prop_oneof![
            Just("01"), Just("1."), Just("-"), Just("1e"), Just("tru"), Just("\"a"),
            Just("\"\\x\""), Just("\"\\ud800\""), Just("\"\u{1}\""), Just("nan"),
            Just("1e999"), Just("[1,]"), Just("{\"a\":}"),
        ]
        .prop_map(String::from),
    ];
    leaf.prop_recursive(3, 12, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(","))),
            prop::collection::vec(("[a-z]{1,3}", inner), 0..3).prop_map(|v| {
                let members: Vec<String> =
                    v.into_iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
                format!("{{{}}}", members.join(","))
            }),
        ]
    })
}

/// A line that is nearly a record of the test schema: a plain record's members in any
/// order, some replaced by values of any type, some dropped, extra keys added, with
/// random whitespace.
fn near_record() -> impl Strategy<Value = String> {
    let text = || {
        ("[a-z \"\\\\/\\n\\t\\u{1}é😀]{0,8}", any::<bool>())
            .prop_map(|(t, more)| json_string(&t, more))
    };
    let number = "-?(0|[1-9][0-9]{0,19})(\\.[0-9]{1,20})?([eE][+-]?[0-9]{1,2})?";
    let plain = (text(), text(), number).prop_map(|(id, who, start)| {
        vec![
            ("item", "\"a\"".to_string()),
            ("kind", "\"s\"".to_string()),
            ("id", id),
            ("start", start),
            ("end", "1e300".to_string()),
            ("who", who),
            ("mood", "\"up\"".to_string()),
        ]
    });
    let key = prop_oneof![
        Just("item"),
        Just("kind"),
        Just("id"),
        Just("start"),
        Just("end"),
        Just("who"),
        Just("tags"),
        Just("mood"),
        Just("ok"),
        Just("extra"),
        Just("st\\u0061rt"),
    ];
    let replaced = prop::collection::vec((0..7usize, value_text()), 0..2);
    let extra = prop::collection::vec((key, value_text()), 0..3);
    let dropped = prop::option::weighted(0.15, 0..7usize);
    let space = prop_oneof![Just(""), Just(""), Just(" "), Just("\t"), Just(" \r")];
    let spaces = prop::collection::vec(space, 12);
    (plain, replaced, extra, dropped, spaces)
        .prop_flat_map(move |(plain, replaced, extra, dropped, spaces)| {
            let mut members: Vec<(String, String)> =
                plain.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
            for (at, value) in replaced {
                members[at].1 = value;
            }
            if let Some(at) = dropped {
                members.remove(at);
            }
            members.extend(extra.into_iter().map(|(k, v)| (k.to_string(), v)));
            (Just(members).prop_shuffle(), Just(spaces))
        })
        .prop_map(|(members, spaces)| {
            let members: Vec<String> = members
                .iter()
                .enumerate()
                .map(|(i, (k, v))| {
                    let s = spaces[i % spaces.len()];
                    format!("{s}\"{k}\"{s}:{s}{v}{s}")
                })
                .collect();
            format!("{{{}}}{}", members.join(","), spaces[0])
        })
}

proptest! {
    #![proptest_config(crate::proptest_config(4000))]

    /// Whatever the line, the fast path returns the general path's record or gives up.
    #[test]
    fn the_fast_path_never_disagrees_with_the_general_path(line in near_record()) {
        agree(&line);
    }

    /// Numbers read as the general path reads them, bit for bit.
    #[test]
    fn numbers_of_any_shape_read_exactly(
        number in "-?(0|[1-9][0-9]{0,24})(\\.[0-9]{1,24})?([eE][+-]?[0-9]{1,3})?"
    ) {
        let line = format!(
            r#"{{"item":"a","kind":"s","id":"1","start":{number},"end":{number},"who":"x","mood":"up"}}"#
        );
        agree(&line);
    }
}
