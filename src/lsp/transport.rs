//! The server's framing on standard input and output, with what a client may send bounded.
//!
//! `lsp-server` reads a message by allocating whatever `Content-Length` says (99999999999999
//! aborted the process, 4000000000 committed 3.9 GB), and a header or body it cannot read
//! ends its reader without a word. Here every header line and body has a limit; a body that
//! is not a JSON-RPC message is skipped with a `window/logMessage` (its length said where it
//! ends, so the next message is found); and framing that cannot be followed (a missing,
//! negative or unreadable length, a stream cut mid-message) ends the server with an error,
//! which the command line reports with exit status 2.

use crossbeam_channel::{bounded, Receiver, Sender};
use lsp_server::{Message, Notification};
use std::io::{self, BufRead, Read, Write};
use std::thread::JoinHandle;

/// The largest message body read: far above a rule file at its own limit (4 MiB), escaped.
pub const MAX_MESSAGE_BYTES: usize = 64 << 20;

/// The longest header line (`Content-Length: …`, `Content-Type: …`).
const MAX_HEADER_BYTES: usize = 4096;

/// A message read from the stream, or a body that is not one.
#[derive(Debug)]
pub enum Frame {
    /// A JSON-RPC message.
    Message(Message),
    /// A body that was read whole but is not a message; why, for the log.
    Skipped(String),
}

/// Reads the next frame; `Ok(None)` at the end of the stream between messages. An `Err` is
/// framing that cannot be followed: nothing after it can be read.
pub fn read_frame(input: &mut impl BufRead) -> io::Result<Option<Frame>> {
    let Some(length) = read_headers(input)? else {
        return Ok(None);
    };
    if length > MAX_MESSAGE_BYTES {
        skip(input, length)?;
        return Ok(Some(Frame::Skipped(format!(
            "a message of {length} bytes, more than the {MAX_MESSAGE_BYTES} a message may have"
        ))));
    }
    let mut body = vec![0; length];
    input.read_exact(&mut body).map_err(|e| cut(&e))?;
    Ok(Some(message_in(&body)))
}

/// The message a body holds, or why it holds none.
fn message_in(body: &[u8]) -> Frame {
    let value = match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(value) => value,
        Err(e) => return Frame::Skipped(format!("a message that is not JSON: {e}")),
    };
    let found = match &value {
        serde_json::Value::Object(_) => None,
        serde_json::Value::Array(_) => Some("an array"),
        serde_json::Value::String(_) => Some("a string"),
        serde_json::Value::Number(_) => Some("a number"),
        serde_json::Value::Bool(_) => Some("a boolean"),
        serde_json::Value::Null => Some("null"),
    };
    if let Some(found) = found {
        return Frame::Skipped(format!("{found} where a JSON-RPC object was expected"));
    }
    match serde_json::from_value::<Message>(value) {
        Ok(message) => Frame::Message(message),
        Err(_) => Frame::Skipped(
            "an object that is neither a request, a response nor a notification".into(),
        ),
    }
}

/// The headers of the next message, up to the blank line: its `Content-Length`.
fn read_headers(input: &mut impl BufRead) -> io::Result<Option<usize>> {
    let mut length = None;
    let mut first = true;
    loop {
        let Some(line) = read_header_line(input, first)? else {
            return Ok(None);
        };
        first = false;
        if line.is_empty() {
            return length
                .map(Some)
                .ok_or_else(|| invalid("a message without a `Content-Length` header".to_string()));
        }
        let Some((name, value)) = line.split_once(':') else {
            return Err(invalid(format!(
                "a header that is not `Name: value`: {line:?}"
            )));
        };
        if name.trim().eq_ignore_ascii_case("content-length") {
            let value = value.trim();
            let parsed = value.parse::<usize>().map_err(|_| {
                invalid(format!(
                    "`Content-Length: {value}`, which is not a length in bytes"
                ))
            })?;
            length = Some(parsed);
        }
    }
}

/// One header line without its line break, at most [`MAX_HEADER_BYTES`] long; `None` at
/// the end of the stream before the first line of a message.
fn read_header_line(input: &mut impl BufRead, first: bool) -> io::Result<Option<String>> {
    let mut line = Vec::new();
    let read = (input.by_ref())
        .take(MAX_HEADER_BYTES as u64 + 1)
        .read_until(b'\n', &mut line)?;
    if read == 0 && first {
        return Ok(None);
    }
    if !line.ends_with(b"\n") {
        return Err(match line.len() > MAX_HEADER_BYTES {
            true => invalid(format!(
                "a header line longer than {MAX_HEADER_BYTES} bytes"
            )),
            false => cut(&io::Error::from(io::ErrorKind::UnexpectedEof)),
        });
    }
    while line.last().is_some_and(|b| matches!(b, b'\n' | b'\r')) {
        line.pop();
    }
    String::from_utf8(line)
        .map(Some)
        .map_err(|_| invalid("a header that is not UTF-8".into()))
}

/// Reads and drops `length` bytes, a little at a time.
fn skip(input: &mut impl BufRead, length: usize) -> io::Result<()> {
    let copied = io::copy(&mut input.by_ref().take(length as u64), &mut io::sink())?;
    match copied == length as u64 {
        true => Ok(()),
        false => Err(cut(&io::Error::from(io::ErrorKind::UnexpectedEof))),
    }
}

fn invalid(what: String) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("the client sent {what}"),
    )
}

fn cut(e: &io::Error) -> io::Error {
    io::Error::new(
        io::ErrorKind::UnexpectedEof,
        format!("the client's stream ended inside a message ({e})"),
    )
}

/// The threads moving messages between the channels and standard input and output.
pub struct Threads {
    reader: JoinHandle<io::Result<()>>,
    writer: JoinHandle<io::Result<()>>,
}

impl Threads {
    /// Waits for both; the reader's error (framing that could not be followed) comes first.
    pub fn join(self) -> io::Result<()> {
        let reader = self.reader.join().unwrap_or_else(|_| Err(panicked()));
        let writer = self.writer.join().unwrap_or_else(|_| Err(panicked()));
        reader.and(writer)
    }
}

fn panicked() -> io::Error {
    io::Error::other("a transport thread failed")
}

/// The channels of a connection over standard input and output, and their threads.
pub fn stdio() -> io::Result<(Sender<Message>, Receiver<Message>, Threads)> {
    let (to_client, outgoing) = bounded::<Message>(0);
    let (incoming, from_client) = bounded::<Message>(0);
    let writer = std::thread::Builder::new()
        .name("lsp-writer".into())
        .spawn(move || write_all(&outgoing, &mut io::stdout().lock()))?;
    let log = to_client.clone();
    let reader = std::thread::Builder::new()
        .name("lsp-reader".into())
        .spawn(move || read_all(&mut io::stdin().lock(), &incoming, &log))?;
    Ok((to_client, from_client, Threads { reader, writer }))
}

fn write_all(outgoing: &Receiver<Message>, out: &mut impl Write) -> io::Result<()> {
    outgoing.iter().try_for_each(|message| message.write(out))
}

/// Reads frames until `exit`, the end of the stream, or framing that cannot be followed.
/// Skipped bodies are logged to the client and to standard error.
fn read_all(
    input: &mut impl BufRead,
    incoming: &Sender<Message>,
    log: &Sender<Message>,
) -> io::Result<()> {
    while let Some(frame) = read_frame(input)? {
        let message = match frame {
            Frame::Message(message) => message,
            Frame::Skipped(why) => {
                let line = format!("concordant lsp: skipped {why}");
                eprintln!("{line}");
                let params = serde_json::json!({ "type": 1, "message": line });
                let _ = log.send(Message::Notification(Notification::new(
                    "window/logMessage".into(),
                    params,
                )));
                continue;
            }
        };
        let exit = matches!(&message, Message::Notification(n) if n.method == "exit");
        if incoming.send(message).is_err() || exit {
            break;
        }
    }
    Ok(())
}
