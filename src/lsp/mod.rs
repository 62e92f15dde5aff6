//! `concordant lsp`: a language server for rule files over standard input and output.
//!
//! Each open document is compiled with its imports ([`analysis::Analysis`]) when it is
//! opened and on every change, and its diagnostics — the CLI's, with their codes and help —
//! are published. Requests are answered from the latest analysis: hover, signature help, go to definition,
//! completion, document symbols and semantic tokens. A request whose parameters the server
//! cannot read gets an error response, a body that is no message is skipped with a log
//! message ([`transport`]), and a failure inside a handler is caught and reported: the server
//! keeps running. Only framing it cannot follow ends it, with an error.

pub mod analysis;
mod edits;
mod names;
pub mod signature;
pub mod transport;

use analysis::{Analysis, Completion, Symbol};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types as lsp;
use std::collections::HashMap;
use std::path::PathBuf;

/// Runs the server on standard input and output until the client says `exit`. Framing the
/// server cannot follow ([`transport`]) ends it with an error.
pub fn run() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let (sender, receiver, threads) = transport::stdio()?;
    let connection = Connection { sender, receiver };
    let served = serve_initialized(&connection);
    // The writer thread ends once the connection, and with it the last sender, is gone.
    drop(connection);
    match (threads.join(), served) {
        // Framing that could not be followed is why anything else failed.
        (Err(e), _) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        (_, served) => served,
    }
}

fn serve_initialized(
    connection: &Connection,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let capabilities = serde_json::to_value(capabilities())?;
    connection.initialize(capabilities)?;
    serve(connection)
}

/// Answers messages until the client asks the server to shut down.
fn serve(connection: &Connection) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let mut server = Server {
        connection,
        documents: HashMap::new(),
    };
    for message in &connection.receiver {
        match message {
            Message::Request(request) => match connection.handle_shutdown(&request) {
                Ok(false) => server.request(request),
                // Shut down; a client that leaves without the `exit` that should follow
                // (an error here) is done with the server just the same.
                Ok(true) | Err(_) => return Ok(()),
            },
            Message::Notification(notification) => server.notification(notification),
            Message::Response(_) => {}
        }
    }
    Ok(())
}

fn capabilities() -> lsp::ServerCapabilities {
    lsp::ServerCapabilities {
        text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(
            lsp::TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(lsp::TextDocumentSyncKind::FULL),
                save: Some(lsp::TextDocumentSyncSaveOptions::Supported(true)),
                ..Default::default()
            },
        )),
        hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
        definition_provider: Some(lsp::OneOf::Left(true)),
        completion_provider: Some(lsp::CompletionOptions {
            trigger_characters: Some(vec![".".into()]),
            ..Default::default()
        }),
        signature_help_provider: Some(lsp::SignatureHelpOptions {
            trigger_characters: Some(vec!["(".into(), ",".into()]),
            ..Default::default()
        }),
        document_symbol_provider: Some(lsp::OneOf::Left(true)),
        code_action_provider: Some(lsp::CodeActionProviderCapability::Options(
            lsp::CodeActionOptions {
                code_action_kinds: Some(vec![lsp::CodeActionKind::QUICKFIX]),
                ..Default::default()
            },
        )),
        document_formatting_provider: Some(lsp::OneOf::Left(true)),
        references_provider: Some(lsp::OneOf::Left(true)),
        rename_provider: Some(lsp::OneOf::Left(true)),
        workspace_symbol_provider: Some(lsp::OneOf::Left(true)),
        document_range_formatting_provider: Some(lsp::OneOf::Left(true)),
        semantic_tokens_provider: Some(
            lsp::SemanticTokensServerCapabilities::SemanticTokensOptions(
                lsp::SemanticTokensOptions {
                    legend: lsp::SemanticTokensLegend {
                        token_types: analysis::TOKEN_TYPES
                            .iter()
                            .map(|t| lsp::SemanticTokenType::new(t))
                            .collect(),
                        token_modifiers: Vec::new(),
                    },
                    full: Some(lsp::SemanticTokensFullOptions::Bool(true)),
                    range: None,
                    work_done_progress_options: Default::default(),
                },
            ),
        ),
        ..Default::default()
    }
}

struct Server<'c> {
    connection: &'c Connection,
    documents: HashMap<lsp::Url, Analysis>,
}

/// Why a request got no answer.
enum Failure {
    /// Its parameters do not read as the method's.
    Params(String),
    /// It names a document that is not open.
    Unknown(lsp::Url),
    /// It cannot be done (a rename to a name that is taken), for this reason.
    Refused(String),
}

impl Server<'_> {
    fn send(&self, message: Message) {
        // The client has gone when this fails; the receive loop ends on its own then.
        let _ = self.connection.sender.send(message);
    }

    fn notification(&mut self, notification: Notification) {
        let method = notification.method.clone();
        let handled = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.on_notification(notification)
        }));
        if handled.is_err() {
            self.log(&format!(
                "concordant lsp: `{method}` failed inside the server"
            ));
        }
    }

    fn on_notification(&mut self, notification: Notification) {
        match notification.method.as_str() {
            "textDocument/didOpen" => {
                if let Ok(p) =
                    serde_json::from_value::<lsp::DidOpenTextDocumentParams>(notification.params)
                {
                    self.analyse(p.text_document.uri, &p.text_document.text);
                }
            }
            "textDocument/didChange" => {
                if let Ok(p) =
                    serde_json::from_value::<lsp::DidChangeTextDocumentParams>(notification.params)
                {
                    if let Some(change) = p.content_changes.into_iter().last() {
                        self.analyse(p.text_document.uri, &change.text);
                    }
                }
            }
            "textDocument/didSave" => {
                if let Ok(p) =
                    serde_json::from_value::<lsp::DidSaveTextDocumentParams>(notification.params)
                {
                    self.refresh_importers(&p.text_document.uri);
                }
            }
            "textDocument/didClose" => {
                if let Ok(p) =
                    serde_json::from_value::<lsp::DidCloseTextDocumentParams>(notification.params)
                {
                    self.documents.remove(&p.text_document.uri);
                    self.publish(p.text_document.uri, Vec::new());
                }
            }
            _ => {}
        }
    }

    /// Analyses again every other open document that imports the one at `uri` (imports are
    /// read from disk: a saved change reaches them).
    fn refresh_importers(&mut self, uri: &lsp::Url) {
        let Ok(path) = uri.to_file_path() else {
            return;
        };
        let importers: Vec<(lsp::Url, String)> = (self.documents.iter())
            .filter(|(other, a)| *other != uri && a.imports(&path))
            .map(|(other, a)| (other.clone(), a.text().to_string()))
            .collect();
        for (other, text) in importers {
            self.analyse(other, &text);
        }
    }

    fn log(&self, message: &str) {
        let params = lsp::LogMessageParams {
            typ: lsp::MessageType::ERROR,
            message: message.to_string(),
        };
        self.send(Message::Notification(Notification::new(
            "window/logMessage".into(),
            params,
        )));
    }

    fn analyse(&mut self, uri: lsp::Url, text: &str) {
        let path = uri
            .to_file_path()
            .unwrap_or_else(|()| PathBuf::from("untitled.cord"));
        let analysis = Analysis::new(&path, text);
        let diagnostics = self.diagnostics_of(&analysis, &uri);
        self.documents.insert(uri.clone(), analysis);
        self.publish(uri, diagnostics);
    }

    /// The document's problems as the protocol's diagnostics, in the analysis's order.
    fn diagnostics_of(&self, analysis: &Analysis, uri: &lsp::Url) -> Vec<lsp::Diagnostic> {
        let lines = Lines::new(analysis.text());
        (analysis.problems().iter())
            .map(|p| lsp::Diagnostic {
                range: lines.range(&p.range),
                severity: Some(if p.error {
                    lsp::DiagnosticSeverity::ERROR
                } else {
                    lsp::DiagnosticSeverity::WARNING
                }),
                code: p.code.clone().map(lsp::NumberOrString::String),
                source: Some("concordant".into()),
                message: p.message.clone(),
                related_information: (!p.related.is_empty()).then(|| {
                    (p.related.iter())
                        .map(|(range, message)| lsp::DiagnosticRelatedInformation {
                            location: lsp::Location {
                                uri: uri.clone(),
                                range: lines.range(range),
                            },
                            message: message.clone(),
                        })
                        .collect()
                }),
                ..Default::default()
            })
            .collect()
    }

    fn publish(&self, uri: lsp::Url, diagnostics: Vec<lsp::Diagnostic>) {
        let params = lsp::PublishDiagnosticsParams {
            uri,
            diagnostics,
            version: None,
        };
        self.send(Message::Notification(Notification::new(
            "textDocument/publishDiagnostics".into(),
            params,
        )));
    }

    fn request(&mut self, request: Request) {
        let id = request.id.clone();
        let method = request.method.clone();
        let answered =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.answer(request)));
        let response = match answered {
            Ok(Some(Ok(result))) => Response::new_ok(id, result),
            Ok(Some(Err(Failure::Params(why)))) => {
                Response::new_err(id, ErrorCode::InvalidParams as i32, why)
            }
            Ok(Some(Err(Failure::Unknown(uri)))) => Response::new_err(
                id,
                ErrorCode::InvalidParams as i32,
                format!("{uri} is not open"),
            ),
            Ok(Some(Err(Failure::Refused(why)))) => {
                Response::new_err(id, ErrorCode::RequestFailed as i32, why)
            }
            Ok(None) => Response::new_err(
                id,
                ErrorCode::MethodNotFound as i32,
                format!("concordant lsp does not answer `{method}`"),
            ),
            Err(_) => Response::new_err(
                id,
                ErrorCode::InternalError as i32,
                format!("`{method}` failed inside the server"),
            ),
        };
        self.send(Message::Response(response));
    }

    /// The answer to a request, `None` for a method the server does not know.
    fn answer(&self, request: Request) -> Option<Result<serde_json::Value, Failure>> {
        let Request { method, params, .. } = request;
        Some(match method.as_str() {
            "textDocument/hover" => self.with_position(params, |a, _, offset| {
                let value = a.hover(offset)?;
                Some(to_json(lsp::Hover {
                    contents: lsp::HoverContents::Markup(lsp::MarkupContent {
                        kind: lsp::MarkupKind::Markdown,
                        value,
                    }),
                    range: None,
                }))
            }),
            "textDocument/signatureHelp" => self.with_position(params, |a, _, offset| {
                let signature = a.signature(offset)?;
                let active = Some(signature.active as u32);
                let parameters = (signature.parameters.into_iter())
                    .map(|p| lsp::ParameterInformation {
                        label: lsp::ParameterLabel::Simple(p),
                        documentation: None,
                    })
                    .collect();
                Some(to_json(lsp::SignatureHelp {
                    signatures: vec![lsp::SignatureInformation {
                        label: signature.label,
                        documentation: Some(lsp::Documentation::MarkupContent(
                            lsp::MarkupContent {
                                kind: lsp::MarkupKind::Markdown,
                                value: signature.doc,
                            },
                        )),
                        parameters: Some(parameters),
                        active_parameter: active,
                    }],
                    active_signature: Some(0),
                    active_parameter: active,
                }))
            }),
            "textDocument/definition" => self.with_position(params, |a, _, offset| {
                let place = a.definition(offset)?;
                let uri = lsp::Url::from_file_path(&place.path).ok()?;
                let range = Lines::new(&place.text).range(&place.range);
                Some(to_json(lsp::GotoDefinitionResponse::Scalar(
                    lsp::Location { uri, range },
                )))
            }),
            "textDocument/completion" => self.with_position(params, |a, _, offset| {
                let items: Vec<lsp::CompletionItem> = a
                    .completions(offset)
                    .into_iter()
                    .map(completion_item)
                    .collect();
                Some(to_json(lsp::CompletionResponse::Array(items)))
            }),
            "textDocument/documentSymbol" => self.with_document(params, |a| {
                let lines = Lines::new(a.text());
                let symbols: Vec<lsp::DocumentSymbol> = a
                    .symbols()
                    .into_iter()
                    .map(|s| document_symbol(&lines, s))
                    .collect();
                to_json(lsp::DocumentSymbolResponse::Nested(symbols))
            }),
            "textDocument/semanticTokens/full" => self.with_document(params, |a| {
                to_json(lsp::SemanticTokensResult::Tokens(semantic_tokens(a)))
            }),
            "textDocument/codeAction" => self.with_params(params, |a, p: lsp::CodeActionParams| {
                let lines = Lines::new(a.text());
                let range = lines.offset(p.range.start)..lines.offset(p.range.end);
                let published = self.diagnostics_of(a, &p.text_document.uri);
                to_json(edits::code_actions(
                    a,
                    &p.text_document.uri,
                    &published,
                    range,
                ))
            }),
            "textDocument/references" => self.with_params(params, |a, p: lsp::ReferenceParams| {
                let doc = &p.text_document_position;
                let offset = Lines::new(a.text()).offset(doc.position);
                let found = names::occurrences(&self.documents, &doc.text_document.uri, offset);
                let declared = a.declarations("");
                let is_declaration = |place: &analysis::Place| {
                    (declared.iter())
                        .any(|(_, _, d)| d.path == place.path && d.range == place.range)
                };
                let locations: Vec<lsp::Location> = (found.into_iter())
                    .flat_map(|(_, places)| places)
                    .filter(|place| p.context.include_declaration || !is_declaration(place))
                    .filter_map(|place| names::location(&place))
                    .collect();
                to_json(locations)
            }),
            "textDocument/rename" => self.answer_for(params, |a, p: lsp::RenameParams| {
                let doc = &p.text_document_position;
                let offset = Lines::new(a.text()).offset(doc.position);
                names::rename(&self.documents, &doc.text_document.uri, offset, &p.new_name)
                    .map(to_json)
                    .map_err(Failure::Refused)
            }),
            "workspace/symbol" => {
                match serde_json::from_value::<lsp::WorkspaceSymbolParams>(params) {
                    Err(e) => Err(Failure::Params(e.to_string())),
                    Ok(p) => Ok(to_json(names::workspace_symbols(&self.documents, &p.query))),
                }
            }
            "textDocument/formatting" => self
                .with_params(params, |a, _: lsp::DocumentFormattingParams| {
                    to_json(edits::formatting(a, None))
                }),
            "textDocument/rangeFormatting" => {
                self.with_params(params, |a, p: lsp::DocumentRangeFormattingParams| {
                    let lines = Lines::new(a.text());
                    let range = lines.offset(p.range.start)..lines.offset(p.range.end);
                    to_json(edits::formatting(a, Some(range)))
                })
            }
            _ => return None,
        })
    }

    fn with_document(
        &self,
        params: serde_json::Value,
        answer: impl FnOnce(&Analysis) -> serde_json::Value,
    ) -> Result<serde_json::Value, Failure> {
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Params {
            text_document: lsp::TextDocumentIdentifier,
        }
        let p: Params =
            serde_json::from_value(params).map_err(|e| Failure::Params(e.to_string()))?;
        let analysis = self
            .documents
            .get(&p.text_document.uri)
            .ok_or(Failure::Unknown(p.text_document.uri))?;
        Ok(answer(analysis))
    }

    /// Answers a request whose parameters name a document (`textDocument.uri`) with `P`.
    fn with_params<P: serde::de::DeserializeOwned + HasDocument>(
        &self,
        params: serde_json::Value,
        answer: impl FnOnce(&Analysis, P) -> serde_json::Value,
    ) -> Result<serde_json::Value, Failure> {
        self.answer_for(params, |a, p| Ok(answer(a, p)))
    }

    /// [`Server::with_params`] for an answer that may be a refusal.
    fn answer_for<P: serde::de::DeserializeOwned + HasDocument>(
        &self,
        params: serde_json::Value,
        answer: impl FnOnce(&Analysis, P) -> Result<serde_json::Value, Failure>,
    ) -> Result<serde_json::Value, Failure> {
        let p: P = serde_json::from_value(params).map_err(|e| Failure::Params(e.to_string()))?;
        let uri = p.document().clone();
        let analysis = self.documents.get(&uri).ok_or(Failure::Unknown(uri))?;
        answer(analysis, p)
    }

    fn with_position(
        &self,
        params: serde_json::Value,
        answer: impl FnOnce(&Analysis, &Lines, usize) -> Option<serde_json::Value>,
    ) -> Result<serde_json::Value, Failure> {
        let p: lsp::TextDocumentPositionParams =
            serde_json::from_value(params).map_err(|e| Failure::Params(e.to_string()))?;
        let analysis = self
            .documents
            .get(&p.text_document.uri)
            .ok_or(Failure::Unknown(p.text_document.uri))?;
        let lines = Lines::new(analysis.text());
        let offset = lines.offset(p.position);
        Ok(answer(analysis, &lines, offset).unwrap_or(serde_json::Value::Null))
    }
}

/// Request parameters that name a document.
trait HasDocument {
    fn document(&self) -> &lsp::Url;
}

impl HasDocument for lsp::CodeActionParams {
    fn document(&self) -> &lsp::Url {
        &self.text_document.uri
    }
}

impl HasDocument for lsp::ReferenceParams {
    fn document(&self) -> &lsp::Url {
        &self.text_document_position.text_document.uri
    }
}

impl HasDocument for lsp::RenameParams {
    fn document(&self) -> &lsp::Url {
        &self.text_document_position.text_document.uri
    }
}

impl HasDocument for lsp::DocumentFormattingParams {
    fn document(&self) -> &lsp::Url {
        &self.text_document.uri
    }
}

impl HasDocument for lsp::DocumentRangeFormattingParams {
    fn document(&self) -> &lsp::Url {
        &self.text_document.uri
    }
}

fn to_json(value: impl serde::Serialize) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

fn completion_item(c: Completion) -> lsp::CompletionItem {
    let kind = match c.what {
        "kind" => lsp::CompletionItemKind::STRUCT,
        "field" => lsp::CompletionItemKind::FIELD,
        "const" => lsp::CompletionItemKind::CONSTANT,
        "value" => lsp::CompletionItemKind::ENUM_MEMBER,
        "relation" => lsp::CompletionItemKind::OPERATOR,
        "function" => lsp::CompletionItemKind::FUNCTION,
        "let" => lsp::CompletionItemKind::VARIABLE,
        _ => lsp::CompletionItemKind::KEYWORD,
    };
    lsp::CompletionItem {
        label: c.label,
        kind: Some(kind),
        detail: (!c.detail.is_empty()).then_some(c.detail),
        ..Default::default()
    }
}

#[allow(deprecated)] // `deprecated` must be given, though the protocol deprecated it
fn document_symbol(lines: &Lines, s: Symbol) -> lsp::DocumentSymbol {
    let kind = match s.what {
        "kind" => lsp::SymbolKind::STRUCT,
        "field" => lsp::SymbolKind::FIELD,
        "const" => lsp::SymbolKind::CONSTANT,
        "test" => lsp::SymbolKind::METHOD,
        _ => lsp::SymbolKind::FUNCTION,
    };
    lsp::DocumentSymbol {
        name: s.name,
        detail: Some(s.what.to_string()),
        kind,
        tags: None,
        deprecated: None,
        range: lines.range(&s.range),
        selection_range: lines.range(&s.name_range),
        children: (!s.children.is_empty()).then(|| {
            s.children
                .into_iter()
                .map(|c| document_symbol(lines, c))
                .collect()
        }),
    }
}

fn semantic_tokens(analysis: &Analysis) -> lsp::SemanticTokens {
    let lines = Lines::new(analysis.text());
    let mut data = Vec::new();
    let (mut last_line, mut last_start) = (0u32, 0u32);
    for (range, class) in analysis.highlights() {
        let start = lines.position(range.start);
        let end = lines.position(range.end);
        // A token spans one line; one that does not is cut at the line's end.
        let length = if end.line == start.line {
            end.character - start.character
        } else {
            lines.line_length(start.line) - start.character
        };
        let delta_line = start.line - last_line;
        let delta_start = if delta_line == 0 {
            start.character - last_start
        } else {
            start.character
        };
        data.push(lsp::SemanticToken {
            delta_line,
            delta_start,
            length,
            token_type: class,
            token_modifiers_bitset: 0,
        });
        (last_line, last_start) = (start.line, start.character);
    }
    lsp::SemanticTokens {
        result_id: None,
        data,
    }
}

/// Converts byte offsets of a text to the protocol's lines and UTF-16 columns, and back.
struct Lines<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> Lines<'t> {
    fn new(text: &'t str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Lines { text, starts }
    }

    fn position(&self, offset: usize) -> lsp::Position {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let column: usize = self.text[start..offset].chars().map(char::len_utf16).sum();
        lsp::Position::new(line as u32, column as u32)
    }

    fn range(&self, range: &std::ops::Range<usize>) -> lsp::Range {
        lsp::Range::new(self.position(range.start), self.position(range.end))
    }

    fn line_length(&self, line: u32) -> u32 {
        let start = self
            .starts
            .get(line as usize)
            .copied()
            .unwrap_or(self.text.len());
        let end = self
            .starts
            .get(line as usize + 1)
            .map_or(self.text.len(), |s| s - 1);
        self.text[start..end.max(start)]
            .chars()
            .map(char::len_utf16)
            .sum::<usize>() as u32
    }

    fn offset(&self, position: lsp::Position) -> usize {
        let Some(&start) = self.starts.get(position.line as usize) else {
            return self.text.len();
        };
        let mut units = 0u32;
        for (i, c) in self.text[start..].char_indices() {
            if units >= position.character || c == '\n' {
                return start + i;
            }
            units += c.len_utf16() as u32;
        }
        self.text.len()
    }
}
