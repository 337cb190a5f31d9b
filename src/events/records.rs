//! CloudTrail records from log files as delivered to S3, streamed.
//!
//! [`read_tree`] walks a directory tree (an exported trail bucket, or any part of one) in
//! sorted order and hands each record of each `.json.gz` / `.json` log file to a callback,
//! one at a time: no file is ever held whole in memory, so a month of an organization
//! trail's logs reads in the same few megabytes as a single file.
//!
//! How: a reader thread walks the tree and inflates each file into fixed-size chunks, sent
//! over a bounded channel; the calling thread frames the `{"Records": [...]}` array element
//! by element (a byte scanner that only tracks strings and nesting), deserializes each
//! element with serde borrowing straight from the chunk buffer, and calls back. The two
//! cores split the work between inflating and parsing, and a record costs next to no
//! allocation: its strings borrow from the buffer ([`Record`] has a lifetime; use
//! [`Record::into_owned`] to keep one).
//!
//! Damage stays local: a truncated gzip, malformed JSON or a file that is not CloudTrail's
//! ends that file with a warning naming it and the record index reached (the records before
//! it are delivered); a record lacking `eventTime`, `eventName` or `eventSource`, or with a
//! field of the wrong type, is skipped with a warning and the file goes on. Digest files
//! (`CloudTrail-Digest/`) and Insights files (`CloudTrail-Insight/`, or records that are
//! Insights events) are counted and passed over without a warning.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, Read};
use std::marker::PhantomData;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, SyncSender};

use chrono::{DateTime, NaiveDate, Utc};
use flate2::read::MultiGzDecoder;
use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, Visitor};
use serde_json::value::RawValue;

/// Warnings kept in [`ReadStats::warnings`]; the rest are only counted.
pub const MAX_WARNINGS: usize = 100;

/// Bytes of decompressed log per message from the reader thread.
const CHUNK: usize = 256 * 1024;
/// Free bytes in front of each chunk's data, for the parser to put the unread end of the
/// previous chunk (the start of a record) there instead of copying the chunk.
const HEADROOM: usize = 16 * 1024;
/// Chunks in flight between the reader thread and the parser: bounds memory.
const IN_FLIGHT: usize = 8;

/// One CloudTrail event record. Strings borrow from the reader's buffer where they can
/// (they are owned only when the JSON escapes something); [`Record::into_owned`] detaches.
#[derive(Debug, Clone)]
pub struct Record<'a> {
    /// The log file the record came from.
    pub file: Cow<'a, Path>,
    /// Its index in the file's `Records` array (0-based).
    pub index: usize,
    /// The account the record belongs to: `recipientAccountId`, else the 12-digit account
    /// segment of the file's path (`AWSLogs/[o-xxxx/]ACCOUNT/CloudTrail/...`), else
    /// `"unknown"`.
    pub account_id: Cow<'a, str>,
    pub event_time: DateTime<Utc>,
    pub event_source: Cow<'a, str>,
    pub event_name: Cow<'a, str>,
    pub aws_region: Option<Cow<'a, str>>,
    pub source_ip_address: Option<Cow<'a, str>>,
    pub user_agent: Option<Cow<'a, str>>,
    pub user_identity: UserIdentity<'a>,
    pub recipient_account_id: Option<Cow<'a, str>>,
    pub error_code: Option<Cow<'a, str>>,
    pub error_message: Option<Cow<'a, str>>,
    /// `requestParameters` as raw JSON (`null` reads as `None`); parse on demand with
    /// [`Record::request_parameters_json`] or `serde_json::from_str(raw.get())`.
    pub request_parameters: Option<Cow<'a, RawValue>>,
    /// `additionalEventData` as raw JSON (ConsoleLogin's `MFAUsed`: [`Record::mfa_used`]).
    pub additional_event_data: Option<Cow<'a, RawValue>>,
    pub event_id: Option<Cow<'a, str>>,
    pub read_only: Option<bool>,
}

/// The record's `userIdentity`, the fields analysis needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserIdentity<'a> {
    /// `type`: `IAMUser`, `AssumedRole`, `Root`, `AWSService`, `FederatedUser`, ...
    pub kind: Option<Cow<'a, str>>,
    pub arn: Option<Cow<'a, str>>,
    pub account_id: Option<Cow<'a, str>>,
    pub principal_id: Option<Cow<'a, str>>,
    pub user_name: Option<Cow<'a, str>>,
    /// `sessionContext.sessionIssuer.arn`: the role behind an assumed-role session.
    pub session_issuer_arn: Option<Cow<'a, str>>,
    pub invoked_by: Option<Cow<'a, str>>,
}

impl Record<'_> {
    /// A copy that owns everything, to keep past the callback.
    pub fn into_owned(self) -> Record<'static> {
        Record {
            file: Cow::Owned(self.file.into_owned()),
            index: self.index,
            account_id: own(self.account_id),
            event_time: self.event_time,
            event_source: own(self.event_source),
            event_name: own(self.event_name),
            aws_region: self.aws_region.map(own),
            source_ip_address: self.source_ip_address.map(own),
            user_agent: self.user_agent.map(own),
            user_identity: self.user_identity.into_owned(),
            recipient_account_id: self.recipient_account_id.map(own),
            error_code: self.error_code.map(own),
            error_message: self.error_message.map(own),
            request_parameters: self.request_parameters.map(own_raw),
            additional_event_data: self.additional_event_data.map(own_raw),
            event_id: self.event_id.map(own),
            read_only: self.read_only,
        }
    }

    /// `requestParameters` parsed (`None` when absent or `null`).
    pub fn request_parameters_json(&self) -> Option<serde_json::Value> {
        self.request_parameters
            .as_deref()
            .and_then(|raw| serde_json::from_str(raw.get()).ok())
    }

    /// `additionalEventData` parsed (`None` when absent or `null`).
    pub fn additional_event_data_json(&self) -> Option<serde_json::Value> {
        self.additional_event_data
            .as_deref()
            .and_then(|raw| serde_json::from_str(raw.get()).ok())
    }

    /// ConsoleLogin's `additionalEventData.MFAUsed`: `"Yes"` is `Some(true)`, `"No"`
    /// `Some(false)`, anything else or absent `None`.
    pub fn mfa_used(&self) -> Option<bool> {
        #[derive(Deserialize)]
        struct Extra<'a> {
            #[serde(borrow, default, rename = "MFAUsed")]
            mfa_used: Option<BStr<'a>>,
        }
        let raw = self.additional_event_data.as_deref()?;
        let extra: Extra<'_> = serde_json::from_str(raw.get()).ok()?;
        match extra.mfa_used?.0.as_ref() {
            "Yes" => Some(true),
            "No" => Some(false),
            _ => None,
        }
    }
}

impl UserIdentity<'_> {
    /// A copy that owns everything.
    pub fn into_owned(self) -> UserIdentity<'static> {
        UserIdentity {
            kind: self.kind.map(own),
            arn: self.arn.map(own),
            account_id: self.account_id.map(own),
            principal_id: self.principal_id.map(own),
            user_name: self.user_name.map(own),
            session_issuer_arn: self.session_issuer_arn.map(own),
            invoked_by: self.invoked_by.map(own),
        }
    }
}

fn own(s: Cow<'_, str>) -> Cow<'static, str> {
    Cow::Owned(s.into_owned())
}

fn own_raw(raw: Cow<'_, RawValue>) -> Cow<'static, RawValue> {
    Cow::Owned(raw.into_owned())
}

/// What a read came to. A file that failed part-way (truncated, malformed) counts in
/// `files_failed`, not `files_read`, though the records before the damage were delivered
/// and count in `records_read`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadStats {
    /// Log files read to the end without error.
    pub files_read: u64,
    /// Digest files passed over (by path, or by their `digest...` top-level keys).
    pub files_skipped_digest: u64,
    /// Insights files passed over (by path, or because their records are Insights events).
    pub files_skipped_insight: u64,
    /// Files that could not be opened, or were not CloudTrail JSON, or broke off.
    pub files_failed: u64,
    /// Records delivered to the callback.
    pub records_read: u64,
    /// Records passed over with a warning (missing or ill-typed fields).
    pub records_skipped: u64,
    /// "FILE: record N: what" lines, the first [`MAX_WARNINGS`] of them.
    pub warnings: Vec<String>,
    /// Warnings past the first [`MAX_WARNINGS`], counted only.
    pub warnings_omitted: u64,
    /// Records delivered per account ([`Record::account_id`]).
    pub accounts: BTreeMap<String, u64>,
}

impl ReadStats {
    fn warn(&mut self, warning: String) {
        if self.warnings.len() < MAX_WARNINGS {
            self.warnings.push(warning);
        } else {
            self.warnings_omitted += 1;
        }
    }

    /// Every warning, kept or not.
    pub fn warning_count(&self) -> u64 {
        self.warnings.len() as u64 + self.warnings_omitted
    }
}

impl fmt::Display for ReadStats {
    /// One line: "read 1200 records (3 skipped) from 40 files in 2 accounts; passed over
    /// 2 digest and 1 Insights files; 1 file failed; 4 warnings".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "read {} records", self.records_read)?;
        if self.records_skipped > 0 {
            write!(f, " ({} skipped)", self.records_skipped)?;
        }
        write!(
            f,
            " from {} files in {} accounts",
            self.files_read,
            self.accounts.len()
        )?;
        if self.files_skipped_digest + self.files_skipped_insight > 0 {
            write!(
                f,
                "; passed over {} digest and {} Insights files",
                self.files_skipped_digest, self.files_skipped_insight
            )?;
        }
        if self.files_failed > 0 {
            write!(f, "; {} failed", plural(self.files_failed, "file"))?;
        }
        if self.warning_count() > 0 {
            write!(f, "; {}", plural(self.warning_count(), "warning"))?;
        }
        Ok(())
    }
}

fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The root to read does not exist or cannot be read. Everything below the root that
/// cannot be read is a warning in [`ReadStats`] instead.
#[derive(Debug, thiserror::Error)]
#[error("cannot read CloudTrail logs at {}: {message}", path.display())]
pub struct ReadError {
    pub path: PathBuf,
    pub message: String,
}

/// Reads every CloudTrail log file under `root` (a directory, walked in sorted order, or a
/// single file), calling `on_record` for each record in order. Files whose names end in
/// `.json.gz` or `.json` are read (gzip is recognised by its magic bytes, so a `.json.gz`
/// already inflated reads too); other files are ignored, as are symlinked directories.
pub fn read_tree(
    root: &Path,
    mut on_record: impl FnMut(&Record<'_>),
) -> Result<ReadStats, ReadError> {
    let root_error = |e: io::Error| ReadError {
        path: root.to_path_buf(),
        message: e.to_string(),
    };
    let meta = fs::metadata(root).map_err(root_error)?;
    let is_dir = meta.is_dir();
    if is_dir {
        fs::read_dir(root).map_err(root_error)?;
    } else {
        File::open(root).map_err(root_error)?;
    }
    let mut stats = ReadStats::default();
    let (tx, rx) = mpsc::sync_channel(IN_FLIGHT);
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || {
            // An Err only means the parser side stopped (it panicked): nothing to report.
            let _ = if is_dir {
                walk(root, &tx)
            } else {
                send_file(root, &tx)
            };
        });
        // `rx` moves in here so that a panicking callback drops it, which unblocks the
        // reader thread and lets the scope end.
        consume(rx, &mut stats, &mut on_record);
        // Joined, not left to the scope, which returns once the closure is done while the
        // thread still exits (frees its handle and thread-locals) in the background: the
        // fuzzer's leak check saw that memory as leaked.
        let _ = reader.join();
    });
    Ok(stats)
}

/// Reads one log's JSON (already decompressed) from `reader`, on this thread. `name` is
/// what warnings call it and where the account falls back to.
pub fn read_stream(
    name: &Path,
    reader: impl Read,
    mut on_record: impl FnMut(&Record<'_>),
) -> ReadStats {
    let mut stats = ReadStats::default();
    if let Some(skip) = path_skip(name) {
        skip.count(&mut stats);
        return stats;
    }
    let mut source = ReadSource {
        reader,
        chunk: CHUNK,
    };
    read_log(name, &mut source, &mut stats, &mut on_record);
    stats
}

// ---------------------------------------------------------------------------------------
// The reader thread: walk, open, inflate, send chunks.

enum Msg {
    /// A log file starts; its `Data` follows, then `End`.
    File(PathBuf),
    Data(Vec<u8>),
    /// The file ended: cleanly, or with this read error.
    End(Option<String>),
    /// A file passed over by its path.
    Skipped(Skip),
    /// A file that could not be opened, or a directory that could not be listed.
    Failed(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Skip {
    Digest,
    Insight,
}

impl Skip {
    fn count(self, stats: &mut ReadStats) {
        match self {
            Skip::Digest => stats.files_skipped_digest += 1,
            Skip::Insight => stats.files_skipped_insight += 1,
        }
    }
}

/// The parser side hung up.
struct Gone;

fn send(tx: &SyncSender<Msg>, msg: Msg) -> Result<(), Gone> {
    tx.send(msg).map_err(|_| Gone)
}

fn walk(dir: &Path, tx: &SyncSender<Msg>) -> Result<(), Gone> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            return send(
                tx,
                Msg::Failed(format!("{}: cannot list directory: {e}", dir.display())),
            );
        }
    };
    let mut children = Vec::new();
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                send(
                    tx,
                    Msg::Failed(format!("{}: cannot list directory: {e}", dir.display())),
                )?;
                continue;
            }
        };
        let path = entry.path();
        let is_dir = match entry.file_type() {
            Ok(t) if t.is_symlink() => match fs::metadata(&path) {
                Ok(m) if m.is_file() => false,
                _ => continue, // a symlinked directory (loops) or a dangling link
            },
            Ok(t) => t.is_dir(),
            Err(_) => false,
        };
        children.push((entry.file_name(), path, is_dir));
    }
    children.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    for (_, path, is_dir) in children {
        if is_dir {
            walk(&path, tx)?;
        } else if is_log_name(&path) {
            send_file(&path, tx)?;
        }
    }
    Ok(())
}

fn is_log_name(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    name.ends_with(".json.gz") || name.ends_with(".json")
}

/// Digest and Insights files by their S3 key: `AWSLogs/.../CloudTrail-Digest/...`, with
/// file names `ACCOUNT_CloudTrail-Digest_REGION_...`.
fn path_skip(path: &Path) -> Option<Skip> {
    for part in path.components() {
        let part = part.as_os_str().to_string_lossy();
        if part == "CloudTrail-Digest" || part.contains("_CloudTrail-Digest_") {
            return Some(Skip::Digest);
        }
        if part == "CloudTrail-Insight" || part.contains("_CloudTrail-Insight_") {
            return Some(Skip::Insight);
        }
    }
    None
}

fn send_file(path: &Path, tx: &SyncSender<Msg>) -> Result<(), Gone> {
    if let Some(skip) = path_skip(path) {
        return send(tx, Msg::Skipped(skip));
    }
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) => {
            return send(
                tx,
                Msg::Failed(format!("{}: cannot open: {e}", path.display())),
            );
        }
    };
    send(tx, Msg::File(path.to_path_buf()))?;
    let mut reader = BufReader::with_capacity(128 * 1024, file);
    let is_gzip = match reader.fill_buf() {
        Ok(head) => head.starts_with(&[0x1f, 0x8b]),
        Err(e) => return send(tx, Msg::End(Some(format!("read error: {e}")))),
    };
    if is_gzip {
        pump(
            MultiGzDecoder::new(reader),
            "gzip data truncated or corrupt",
            tx,
        )
    } else {
        pump(reader, "read error", tx)
    }
}

fn pump(mut reader: impl Read, what: &str, tx: &SyncSender<Msg>) -> Result<(), Gone> {
    loop {
        let mut chunk = Vec::with_capacity(HEADROOM + CHUNK);
        chunk.resize(HEADROOM, 0);
        let result = (&mut reader).take(CHUNK as u64).read_to_end(&mut chunk);
        let full = chunk.len() == HEADROOM + CHUNK;
        if chunk.len() > HEADROOM {
            send(tx, Msg::Data(chunk))?;
        }
        match result {
            Err(e) => return send(tx, Msg::End(Some(format!("{what}: {e}")))),
            Ok(_) if !full => return send(tx, Msg::End(None)),
            Ok(_) => {}
        }
    }
}

// ---------------------------------------------------------------------------------------
// The parsing side.

fn consume(rx: Receiver<Msg>, stats: &mut ReadStats, on_record: &mut dyn FnMut(&Record<'_>)) {
    while let Ok(msg) = rx.recv() {
        match msg {
            Msg::File(path) => {
                let mut source = ChannelSource {
                    rx: &rx,
                    done: false,
                };
                read_log(&path, &mut source, stats, on_record);
                source.drain();
            }
            Msg::Skipped(skip) => skip.count(stats),
            Msg::Failed(warning) => {
                stats.files_failed += 1;
                stats.warn(warning);
            }
            // Only ever inside a file, which `ChannelSource` consumes.
            Msg::Data(_) | Msg::End(_) => {}
        }
    }
}

/// Where the framer's bytes come from.
trait Source {
    /// Reads more: on return `buf[pos..]` holds the bytes unread before, then the new ones.
    /// False at the end of the input.
    fn next_chunk(&mut self, buf: &mut Vec<u8>, pos: &mut usize) -> io::Result<bool>;
}

struct ChannelSource<'r> {
    rx: &'r Receiver<Msg>,
    done: bool,
}

impl ChannelSource<'_> {
    /// Discards the rest of the file after the parser stopped early.
    fn drain(&mut self) {
        while !self.done {
            match self.rx.recv() {
                Ok(Msg::Data(_)) => {}
                _ => self.done = true,
            }
        }
    }
}

impl Source for ChannelSource<'_> {
    fn next_chunk(&mut self, buf: &mut Vec<u8>, pos: &mut usize) -> io::Result<bool> {
        if self.done {
            return Ok(false);
        }
        match self.rx.recv() {
            Ok(Msg::Data(mut chunk)) => {
                // The chunk's data starts at HEADROOM: the unread tail of the old buffer (a
                // part of one record) usually fits in front of it, which saves copying
                // the chunk onto the tail.
                let unread = buf.len() - *pos;
                if unread <= HEADROOM {
                    chunk[HEADROOM - unread..HEADROOM].copy_from_slice(&buf[*pos..]);
                    *buf = chunk;
                    *pos = HEADROOM - unread;
                } else {
                    buf.drain(..*pos);
                    *pos = 0;
                    buf.extend_from_slice(&chunk[HEADROOM..]);
                }
                Ok(true)
            }
            Ok(Msg::End(None)) => {
                self.done = true;
                Ok(false)
            }
            Ok(Msg::End(Some(e))) => {
                self.done = true;
                Err(io::Error::other(e))
            }
            Ok(_) | Err(_) => {
                self.done = true;
                Err(io::Error::other("the reader thread stopped"))
            }
        }
    }
}

struct ReadSource<R> {
    reader: R,
    chunk: usize,
}

impl<R: Read> Source for ReadSource<R> {
    fn next_chunk(&mut self, buf: &mut Vec<u8>, pos: &mut usize) -> io::Result<bool> {
        buf.drain(..*pos);
        *pos = 0;
        let n = (&mut self.reader)
            .take(self.chunk as u64)
            .read_to_end(buf)?;
        Ok(n > 0)
    }
}

/// How reading one file ended.
enum Outcome {
    Read,
    Digest,
    Insight,
    Failed(String),
}

fn read_log(
    path: &Path,
    source: &mut dyn Source,
    stats: &mut ReadStats,
    on_record: &mut dyn FnMut(&Record<'_>),
) {
    let path_account = account_from_path(path);
    let mut log = Log {
        frame: Framer {
            source,
            buf: Vec::new(),
            pos: 0,
            eof: false,
        },
        path,
        path_account: path_account.as_deref(),
        index: None,
        delivered: 0,
    };
    match log.read(stats, on_record) {
        Outcome::Read => stats.files_read += 1,
        Outcome::Digest => stats.files_skipped_digest += 1,
        Outcome::Insight => stats.files_skipped_insight += 1,
        Outcome::Failed(what) => {
            stats.files_failed += 1;
            let warning = match log.index {
                Some(i) => format!(
                    "{}: record {i}: {what} ({} read before it)",
                    path.display(),
                    plural(log.delivered, "record")
                ),
                None => format!("{}: {what}", path.display()),
            };
            stats.warn(warning);
        }
    }
}

/// An error that ends the file: the message for its warning.
type Fail = String;

fn io_fail(e: io::Error) -> Fail {
    e.to_string()
}

fn eof_fail() -> Fail {
    "unexpected end of file (truncated?)".to_string()
}

/// serde_json's message without its "at line L column C", which would be relative to the
/// record rather than the file.
fn serde_message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

fn describe_byte(b: u8) -> String {
    if b.is_ascii_graphic() {
        format!("'{}'", b as char)
    } else {
        format!("byte 0x{b:02x}")
    }
}

struct Log<'p, 's> {
    frame: Framer<'s>,
    path: &'p Path,
    path_account: Option<&'p str>,
    /// The index of the record being read, once inside `Records`.
    index: Option<usize>,
    delivered: u64,
}

impl Log<'_, '_> {
    fn read(&mut self, stats: &mut ReadStats, on_record: &mut dyn FnMut(&Record<'_>)) -> Outcome {
        match self.read_inner(stats, on_record) {
            Ok(outcome) => outcome,
            Err(fail) => Outcome::Failed(fail),
        }
    }

    fn read_inner(
        &mut self,
        stats: &mut ReadStats,
        on_record: &mut dyn FnMut(&Record<'_>),
    ) -> Result<Outcome, Fail> {
        match self.frame.peek().map_err(io_fail)? {
            None => return Err("empty file".to_string()),
            Some(b'{') => self.frame.pos += 1,
            Some(_) if self.frame.starts_json_scalar_or_array() => {
                return Err(
                    "not a CloudTrail log file: the top level is not a JSON object".to_string(),
                );
            }
            Some(b) => return Err(format!("not JSON: starts with {}", describe_byte(b))),
        }
        let mut saw_records = false;
        let mut first = true;
        loop {
            match self.frame.peek().map_err(io_fail)? {
                Some(b'}') if first => {
                    self.frame.pos += 1;
                    break;
                }
                Some(b'"') => {}
                Some(b) => {
                    return Err(format!(
                        "malformed JSON: {} where a key was expected",
                        describe_byte(b)
                    ));
                }
                None => return Err(eof_fail()),
            }
            let len = self
                .frame
                .value_len()
                .map_err(io_fail)?
                .ok_or_else(eof_fail)?;
            let key: BStr<'_> = serde_json::from_slice(self.frame.value(len))
                .map_err(|e| format!("malformed JSON: {}", serde_message(&e)))?;
            let key = key.0.into_owned();
            self.frame.pos += len;
            self.expect(b':')?;
            if key == "Records" {
                match self.frame.peek().map_err(io_fail)? {
                    Some(b'[') => {}
                    None => return Err(eof_fail()),
                    Some(_) => {
                        return Err(
                            "not a CloudTrail log file: \"Records\" is not an array".to_string()
                        );
                    }
                }
                saw_records = true;
                if let Some(outcome) = self.records(stats, on_record)? {
                    return Ok(outcome);
                }
            } else {
                if key.starts_with("digest") {
                    return Ok(Outcome::Digest);
                }
                if self.frame.peek().map_err(io_fail)?.is_none() {
                    return Err(eof_fail());
                }
                let len = self
                    .frame
                    .value_len()
                    .map_err(io_fail)?
                    .ok_or_else(eof_fail)?;
                serde_json::from_slice::<IgnoredAny>(self.frame.value(len))
                    .map_err(|e| format!("malformed JSON: {}", serde_message(&e)))?;
                self.frame.pos += len;
            }
            first = false;
            match self.frame.peek().map_err(io_fail)? {
                Some(b',') => self.frame.pos += 1,
                Some(b'}') => {
                    self.frame.pos += 1;
                    break;
                }
                Some(b) => {
                    return Err(format!(
                        "malformed JSON: {} after a value",
                        describe_byte(b)
                    ));
                }
                None => return Err(eof_fail()),
            }
        }
        self.index = None;
        if !saw_records {
            return Err("not a CloudTrail log file: no \"Records\" array".to_string());
        }
        if let Some(b) = self.frame.peek().map_err(io_fail)? {
            return Err(format!(
                "malformed JSON: {} after the top-level object",
                describe_byte(b)
            ));
        }
        Ok(Outcome::Read)
    }

    fn expect(&mut self, want: u8) -> Result<(), Fail> {
        match self.frame.peek().map_err(io_fail)? {
            Some(b) if b == want => {
                self.frame.pos += 1;
                Ok(())
            }
            Some(b) => Err(format!(
                "malformed JSON: {} where '{}' was expected",
                describe_byte(b),
                want as char
            )),
            None => Err(eof_fail()),
        }
    }

    /// The `Records` array, its '[' next. `Some` when the file turns out to be Insights.
    fn records(
        &mut self,
        stats: &mut ReadStats,
        on_record: &mut dyn FnMut(&Record<'_>),
    ) -> Result<Option<Outcome>, Fail> {
        self.frame.pos += 1;
        let mut index = 0;
        self.index = Some(index);
        if self.frame.peek().map_err(io_fail)? == Some(b']') {
            self.frame.pos += 1;
            return Ok(None);
        }
        loop {
            self.index = Some(index);
            if self.frame.peek().map_err(io_fail)?.is_none() {
                return Err(eof_fail());
            }
            // serde parses the record straight from the buffer, and says where it ended;
            // a record running past the buffer's end (an Eof error) is parsed again once
            // more is read, which happens about once per chunk.
            let (len, parsed) = loop {
                let rest = &self.frame.buf[self.frame.pos..];
                let mut stream = serde_json::Deserializer::from_slice(rest).into_iter::<Wire<'_>>();
                match stream.next() {
                    Some(Ok(wire)) => break (stream.byte_offset(), Ok(wire)),
                    Some(Err(e)) if e.is_eof() => {}
                    Some(Err(e)) if e.is_data() => break (0, Err(e)),
                    Some(Err(e)) => return Err(format!("malformed JSON: {}", serde_message(&e))),
                    None => return Err(eof_fail()),
                }
                if !self.frame.fill().map_err(io_fail)? {
                    return Err(eof_fail());
                }
            };
            let len = match parsed {
                Ok(wire) if wire.is_insight() => {
                    if self.delivered == 0 {
                        return Ok(Some(Outcome::Insight));
                    }
                    // An Insights event among management events: not one to analyse.
                    len
                }
                Ok(wire) => {
                    match wire.into_record(self.path, index, self.path_account) {
                        Ok(record) => {
                            stats.records_read += 1;
                            self.delivered += 1;
                            match stats.accounts.get_mut(record.account_id.as_ref()) {
                                Some(n) => *n += 1,
                                None => {
                                    stats.accounts.insert(record.account_id.to_string(), 1);
                                }
                            }
                            on_record(&record);
                        }
                        Err(what) => {
                            stats.records_skipped += 1;
                            stats.warn(format!("{}: record {index}: {what}", self.path.display()));
                        }
                    }
                    len
                }
                // Valid JSON but not a record (a field of the wrong type, say): skip it.
                Err(e) => {
                    stats.records_skipped += 1;
                    stats.warn(format!(
                        "{}: record {index}: {}",
                        self.path.display(),
                        serde_message(&e)
                    ));
                    self.frame
                        .value_len()
                        .map_err(io_fail)?
                        .ok_or_else(eof_fail)?
                }
            };
            self.frame.pos += len;
            index += 1;
            match self.frame.peek().map_err(io_fail)? {
                Some(b',') => self.frame.pos += 1,
                Some(b']') => {
                    self.frame.pos += 1;
                    return Ok(None);
                }
                Some(b) => {
                    self.index = Some(index);
                    return Err(format!(
                        "malformed JSON: {} after a record",
                        describe_byte(b)
                    ));
                }
                None => {
                    self.index = Some(index);
                    return Err(eof_fail());
                }
            }
        }
    }
}

/// A window on the decompressed stream: `buf[pos..]` is unread.
struct Framer<'s> {
    source: &'s mut dyn Source,
    buf: Vec<u8>,
    pos: usize,
    eof: bool,
}

impl Framer<'_> {
    /// Reads more, keeping `buf[pos..]`; false at the end of the input.
    fn fill(&mut self) -> io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        let more = self.source.next_chunk(&mut self.buf, &mut self.pos)?;
        if !more {
            self.eof = true;
        }
        Ok(more)
    }

    /// Skips whitespace; the next byte, not consumed, or `None` at the end.
    fn peek(&mut self) -> io::Result<Option<u8>> {
        loop {
            while let Some(&b) = self.buf.get(self.pos) {
                if matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
                    self.pos += 1;
                } else {
                    return Ok(Some(b));
                }
            }
            if !self.fill()? {
                return Ok(None);
            }
        }
    }

    /// Whether the unread input starts like a JSON value other than an object (read as
    /// far as the buffer goes: a first chunk holds the few bytes this needs).
    fn starts_json_scalar_or_array(&self) -> bool {
        let rest = &self.buf[self.pos..];
        let literal = |word: &[u8]| {
            rest.starts_with(word)
                && rest
                    .get(word.len())
                    .is_none_or(|b| b.is_ascii_whitespace() || matches!(b, b',' | b']' | b'}'))
        };
        match rest.first() {
            Some(b'[' | b'"' | b'-' | b'0'..=b'9') => true,
            Some(b't') => literal(b"true"),
            Some(b'f') => literal(b"false"),
            Some(b'n') => literal(b"null"),
            _ => false,
        }
    }

    fn value(&self, len: usize) -> &[u8] {
        &self.buf[self.pos..self.pos + len]
    }

    /// The length of the JSON value at `pos` (after a `peek` that found a byte), reading
    /// more as needed; `None` when the input ends inside it. It only tracks strings and
    /// nesting to find the end: serde validates the value.
    fn value_len(&mut self) -> io::Result<Option<usize>> {
        let first = self.buf[self.pos];
        let mut depth: u32 = match first {
            b'{' | b'[' => 1,
            b'"' => 0,
            _ => {
                // A scalar: up to the next delimiter, or the end of the input.
                let mut i = 0;
                loop {
                    let rest = &self.buf[self.pos + i..];
                    match rest.iter().position(|&b| {
                        matches!(b, b',' | b']' | b'}' | b' ' | b'\n' | b'\r' | b'\t')
                    }) {
                        Some(j) => return Ok(Some(i + j)),
                        None => i += rest.len(),
                    }
                    if !self.fill()? {
                        return Ok(Some(i));
                    }
                }
            }
        };
        let mut in_string = first == b'"';
        // Offset (from `pos`) of the next byte to look at; may run one past the buffer
        // when a backslash ends it.
        let mut i = 1;
        loop {
            if self.pos + i < self.buf.len() {
                let bytes = &self.buf[self.pos + i..];
                let mut j = 0;
                while j < bytes.len() {
                    if in_string {
                        match bytes[j..].iter().position(|&b| b == b'"' || b == b'\\') {
                            None => j = bytes.len(),
                            Some(k) => {
                                j += k;
                                if bytes[j] == b'\\' {
                                    j += 2;
                                    continue;
                                }
                                in_string = false;
                                if depth == 0 {
                                    return Ok(Some(i + j + 1));
                                }
                                j += 1;
                            }
                        }
                    } else {
                        match bytes[j] {
                            b'"' => in_string = true,
                            b'{' | b'[' => depth += 1,
                            b'}' | b']' => {
                                depth -= 1;
                                if depth == 0 {
                                    return Ok(Some(i + j + 1));
                                }
                            }
                            _ => {}
                        }
                        j += 1;
                    }
                }
                i += j;
            } else if !self.fill()? {
                return Ok(None);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// The record as it is in the JSON.

/// A string that borrows from the input when it has no escapes.
struct BStr<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for BStr<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = BStr<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(BStr(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(BStr(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(BStr(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(V(PhantomData))
    }
}

fn cow(s: Option<BStr<'_>>) -> Option<Cow<'_, str>> {
    s.map(|s| s.0)
}

/// `readOnly` is a boolean; some producers write it as a string.
fn lenient_bool<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<bool>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<bool>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a boolean")
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(match v {
                "true" | "True" => Some(true),
                "false" | "False" => Some(false),
                _ => None,
            })
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }
    deserializer.deserialize_any(V)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Wire<'a> {
    #[serde(borrow, default)]
    event_time: Option<BStr<'a>>,
    #[serde(borrow, default)]
    event_source: Option<BStr<'a>>,
    #[serde(borrow, default)]
    event_name: Option<BStr<'a>>,
    #[serde(borrow, default)]
    aws_region: Option<BStr<'a>>,
    #[serde(borrow, default, rename = "sourceIPAddress")]
    source_ip_address: Option<BStr<'a>>,
    #[serde(borrow, default)]
    user_agent: Option<BStr<'a>>,
    #[serde(borrow, default)]
    user_identity: Option<WireIdentity<'a>>,
    #[serde(borrow, default)]
    recipient_account_id: Option<BStr<'a>>,
    #[serde(borrow, default)]
    error_code: Option<BStr<'a>>,
    #[serde(borrow, default)]
    error_message: Option<BStr<'a>>,
    #[serde(borrow, default)]
    request_parameters: Option<&'a RawValue>,
    #[serde(borrow, default)]
    additional_event_data: Option<&'a RawValue>,
    #[serde(borrow, default, rename = "eventID")]
    event_id: Option<BStr<'a>>,
    #[serde(default, deserialize_with = "lenient_bool")]
    read_only: Option<bool>,
    #[serde(borrow, default)]
    event_type: Option<BStr<'a>>,
    #[serde(borrow, default)]
    event_category: Option<BStr<'a>>,
    #[serde(default)]
    insight_details: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireIdentity<'a> {
    #[serde(borrow, default, rename = "type")]
    kind: Option<BStr<'a>>,
    #[serde(borrow, default)]
    arn: Option<BStr<'a>>,
    #[serde(borrow, default)]
    account_id: Option<BStr<'a>>,
    #[serde(borrow, default)]
    principal_id: Option<BStr<'a>>,
    #[serde(borrow, default)]
    user_name: Option<BStr<'a>>,
    #[serde(borrow, default)]
    invoked_by: Option<BStr<'a>>,
    #[serde(borrow, default)]
    session_context: Option<WireSessionContext<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireSessionContext<'a> {
    #[serde(borrow, default)]
    session_issuer: Option<WireIssuer<'a>>,
}

#[derive(Deserialize)]
struct WireIssuer<'a> {
    #[serde(borrow, default)]
    arn: Option<BStr<'a>>,
}

impl<'a> Wire<'a> {
    fn is_insight(&self) -> bool {
        self.insight_details.is_some()
            || self
                .event_category
                .as_ref()
                .is_some_and(|c| c.0 == "Insight")
            || self
                .event_type
                .as_ref()
                .is_some_and(|t| t.0 == "AwsCloudTrailInsight")
    }

    /// The record, or why it is skipped.
    fn into_record(
        self,
        file: &'a Path,
        index: usize,
        path_account: Option<&'a str>,
    ) -> Result<Record<'a>, String> {
        let event_time = match self.event_time {
            None => return Err("missing eventTime".to_string()),
            Some(t) => parse_time(&t.0).ok_or_else(|| format!("invalid eventTime {:?}", t.0))?,
        };
        let event_name = self.event_name.ok_or("missing eventName")?.0;
        let event_source = self.event_source.ok_or("missing eventSource")?.0;
        let recipient_account_id = cow(self.recipient_account_id);
        let account_id = match (&recipient_account_id, path_account) {
            (Some(id), _) if !id.is_empty() => id.clone(),
            (_, Some(id)) => Cow::Borrowed(id),
            _ => Cow::Borrowed("unknown"),
        };
        let user_identity = match self.user_identity {
            None => UserIdentity::default(),
            Some(u) => UserIdentity {
                kind: cow(u.kind),
                arn: cow(u.arn),
                account_id: cow(u.account_id),
                principal_id: cow(u.principal_id),
                user_name: cow(u.user_name),
                session_issuer_arn: u
                    .session_context
                    .and_then(|c| c.session_issuer)
                    .and_then(|i| cow(i.arn)),
                invoked_by: cow(u.invoked_by),
            },
        };
        Ok(Record {
            file: Cow::Borrowed(file),
            index,
            account_id,
            event_time,
            event_source,
            event_name,
            aws_region: cow(self.aws_region),
            source_ip_address: cow(self.source_ip_address),
            user_agent: cow(self.user_agent),
            user_identity,
            recipient_account_id,
            error_code: cow(self.error_code),
            error_message: cow(self.error_message),
            request_parameters: self.request_parameters.map(Cow::Borrowed),
            additional_event_data: self.additional_event_data.map(Cow::Borrowed),
            event_id: cow(self.event_id),
            read_only: self.read_only,
        })
    }
}

/// CloudTrail's `2026-11-01T12:34:56Z` directly; anything else RFC 3339 through chrono.
fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    let b = s.as_bytes();
    if b.len() == 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b'Z'
    {
        let num = |r: std::ops::Range<usize>| -> Option<u32> {
            b[r].iter().try_fold(0u32, |n, &d| {
                d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
            })
        };
        let date = NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)?;
        return Some(
            date.and_hms_opt(num(11..13)?, num(14..16)?, num(17..19)?)?
                .and_utc(),
        );
    }
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// The account a file's path names: `AWSLogs/[o-xxxx/]ACCOUNT/CloudTrail/...`, else a file
/// name `ACCOUNT_CloudTrail_...`, else the last 12-digit segment.
fn account_from_path(path: &Path) -> Option<String> {
    fn is_account(s: &str) -> bool {
        s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
    }
    let parts: Vec<&str> = path
        .components()
        .filter_map(|c| c.as_os_str().to_str())
        .collect();
    if let Some(at) = parts.iter().rposition(|p| *p == "CloudTrail")
        && at > 0
        && is_account(parts[at - 1])
    {
        return Some(parts[at - 1].to_string());
    }
    if let Some(prefix) = parts.last().and_then(|name| name.split('_').next())
        && is_account(prefix)
    {
        return Some(prefix.to_string());
    }
    parts
        .iter()
        .rev()
        .find(|p| is_account(p))
        .map(|p| p.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record_json(i: usize) -> String {
        format!(
            r#"{{"eventVersion":"1.08","userIdentity":{{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/R/s{i}","sessionContext":{{"sessionIssuer":{{"arn":"arn:aws:iam::111122223333:role/R"}}}}}},"eventTime":"2026-11-01T00:00:{:02}Z","eventSource":"iam.amazonaws.com","eventName":"Create\"Q\\user\u00e9{i}","awsRegion":"us-east-1","requestParameters":{{"a":[1,{{"b":"]}}\\\""}}]}},"readOnly":false,"recipientAccountId":"111122223333"}}"#,
            i % 60
        )
    }

    fn log(n: usize) -> String {
        let records: Vec<String> = (0..n).map(record_json).collect();
        format!("{{\n \"Records\" : [ {} ] }}\n", records.join(" ,\n"))
    }

    /// Every chunk size reads the same records, strings and escapes split anywhere.
    #[test]
    fn chunk_boundaries_do_not_matter() {
        let text = log(5);
        for chunk in [1, 2, 3, 7, 64, 4096] {
            let mut names = Vec::new();
            let mut stats = ReadStats::default();
            let mut source = ReadSource {
                reader: text.as_bytes(),
                chunk,
            };
            read_log(Path::new("x.json"), &mut source, &mut stats, &mut |r| {
                names.push(r.event_name.to_string());
                assert_eq!(
                    r.request_parameters.as_ref().unwrap().get(),
                    r#"{"a":[1,{"b":"]}\\\""}]}"#
                );
                assert_eq!(
                    r.user_identity.session_issuer_arn.as_deref(),
                    Some("arn:aws:iam::111122223333:role/R")
                );
            });
            assert_eq!(stats.warnings, Vec::<String>::new(), "chunk {chunk}");
            assert_eq!(stats.files_read, 1);
            assert_eq!(
                names,
                (0..5)
                    .map(|i| format!("Create\"Q\\useré{i}"))
                    .collect::<Vec<_>>(),
                "chunk {chunk}"
            );
        }
    }

    #[test]
    fn other_top_level_keys_and_empty_arrays() {
        for (text, records) in [
            (r#"{"Records":[]}"#, 0),
            (
                r#"{"x":{"Records":[1]},"Records":[{"eventTime":"2026-01-01T00:00:00Z","eventName":"A","eventSource":"s"}],"y":[]}"#,
                1,
            ),
        ] {
            let stats = read_stream(Path::new("x.json"), text.as_bytes(), |_| {});
            assert_eq!(
                (stats.files_read, stats.records_read),
                (1, records),
                "{text}: {:?}",
                stats.warnings
            );
        }
    }

    #[test]
    fn damage_is_reported_with_the_record_index() {
        let cases = [
            (
                r#"{"Records":[{"eventTime":"2026-01-01T00:00:00Z","eventName":"A","eventSource":"s"},{"eventTime":"#,
                "x.json: record 1: unexpected end of file (truncated?) (1 record read before it)",
            ),
            (
                r#"{"Records":[{"eventTime":"2026-01-01T00:00:00Z","eventName":"A","eventSource":"s"} {"#,
                "x.json: record 1: malformed JSON: '{' after a record (1 record read before it)",
            ),
            (
                r#"{"Records":[{"eventTime":"2026-01-01T00:00:00Z","eventName":"A","eventSource":"s"},{"a":tru}]}"#,
                "x.json: record 1: malformed JSON: expected ident (1 record read before it)",
            ),
            (
                "{\"Records\":{}}",
                "x.json: not a CloudTrail log file: \"Records\" is not an array",
            ),
            (
                "[1]",
                "x.json: not a CloudTrail log file: the top level is not a JSON object",
            ),
            ("<html>", "x.json: not JSON: starts with '<'"),
            ("", "x.json: empty file"),
        ];
        for (text, warning) in cases {
            let stats = read_stream(Path::new("x.json"), text.as_bytes(), |_| {});
            assert_eq!(stats.files_failed, 1, "{text}");
            assert_eq!(stats.warnings, vec![warning.to_string()], "{text}");
        }
    }

    #[test]
    fn times() {
        let t = parse_time("2026-11-01T12:34:56Z").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-11-01T12:34:56+00:00");
        assert_eq!(
            parse_time("2026-11-01T12:34:56.5+01:00")
                .unwrap()
                .to_rfc3339(),
            "2026-11-01T11:34:56.500+00:00"
        );
        assert_eq!(parse_time("2026-13-01T12:34:56Z"), None);
        assert_eq!(parse_time("2026-1x-01T12:34:56Z"), None);
    }

    #[test]
    fn accounts_from_paths() {
        let cases = [
            (
                "b/AWSLogs/o-abc123/111122223333/CloudTrail/us-east-1/2026/11/01/f.json.gz",
                Some("111122223333"),
            ),
            (
                "AWSLogs/444455556666/CloudTrail/eu-west-1/2026/11/01/f.json.gz",
                Some("444455556666"),
            ),
            (
                "x/777788889999_CloudTrail_us-east-1_20261101T0000Z_abc.json.gz",
                Some("777788889999"),
            ),
            ("x/f.json", None),
        ];
        for (path, want) in cases {
            assert_eq!(
                account_from_path(Path::new(path)).as_deref(),
                want,
                "{path}"
            );
        }
        assert_eq!(
            path_skip(Path::new("AWSLogs/1/CloudTrail-Digest/us-east-1/f.json.gz")),
            Some(Skip::Digest)
        );
        assert_eq!(
            path_skip(Path::new(
                "AWSLogs/1/CloudTrail-Insight/us-east-1/f.json.gz"
            )),
            Some(Skip::Insight)
        );
        assert_eq!(
            path_skip(Path::new("AWSLogs/1/CloudTrail/us-east-1/f.json.gz")),
            None
        );
    }
}
