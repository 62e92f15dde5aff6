//! Compressed inputs: a gzip or zstd file is read as the text it holds, whatever its name.
//! The codec is told by the file's first bytes; the format by its name without the
//! compression's extension (`clips.jsonl.gz` is JSON Lines) and the text's first bytes.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

/// How a file is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    /// gzip (`.gz`), several members read one after the other.
    Gzip,
    /// Zstandard (`.zst`), several frames read one after the other.
    Zstd,
}

impl Codec {
    /// Its name in messages.
    pub fn name(self) -> &'static str {
        match self {
            Codec::Gzip => "gzip",
            Codec::Zstd => "zstd",
        }
    }
}

/// The codec a file's first bytes show, if any.
pub fn sniff(path: &Path) -> io::Result<Option<Codec>> {
    let mut magic = [0u8; 4];
    let mut file = std::fs::File::open(path)?;
    let mut read = 0;
    while read < magic.len() {
        match file.read(&mut magic[read..])? {
            0 => break,
            n => read += n,
        }
    }
    Ok(codec_of(&magic[..read]))
}

/// The codec whose magic number starts `bytes`, if any.
pub fn codec_of(bytes: &[u8]) -> Option<Codec> {
    match bytes {
        [0x1f, 0x8b, ..] => Some(Codec::Gzip),
        [0x28, 0xb5, 0x2f, 0xfd, ..] => Some(Codec::Zstd),
        _ => None,
    }
}

/// The name a compressed file's text would have: without `.gz`, `.zst` or `.zstd`.
pub fn plain_name(path: &Path) -> PathBuf {
    let compressed = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .is_some_and(|e| matches!(e.as_str(), "gz" | "gzip" | "zst" | "zstd"));
    match compressed {
        true => path.with_extension(""),
        false => path.to_path_buf(),
    }
}

/// Writes the text `input` holds to `out`, all of it that decodes. An error (a damaged or
/// cut-off stream) comes after the text before it was written, so that text can be read.
pub fn decompress(codec: Codec, input: impl Read, out: &mut impl Write) -> io::Result<u64> {
    let mut input = BufReader::with_capacity(1 << 16, input);
    match codec {
        Codec::Gzip => io::copy(&mut flate2::bufread::MultiGzDecoder::new(input), out),
        Codec::Zstd => {
            let mut written = 0;
            while !input.fill_buf()?.is_empty() {
                let mut frame = ruzstd::decoding::StreamingDecoder::new(&mut input)
                    .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?;
                written += io::copy(&mut frame, out)?;
            }
            Ok(written)
        }
    }
}

/// The whole text of a file, decompressed when it is compressed, with the name it is read
/// under (without the compression's extension).
pub fn read_text(path: &Path) -> io::Result<(Vec<u8>, PathBuf)> {
    match sniff(path)? {
        Some(codec) => {
            let mut text = Vec::new();
            decompress(codec, std::fs::File::open(path)?, &mut text)?;
            Ok((text, plain_name(path)))
        }
        None => Ok((std::fs::read(path)?, path.to_path_buf())),
    }
}

/// The first `limit` bytes of the text a compressed file holds (less if it is shorter or
/// damaged there), to choose its format by.
pub fn prefix(path: &Path, codec: Codec, limit: usize) -> Vec<u8> {
    match std::fs::File::open(path) {
        Ok(file) => prefix_of(file, codec, limit),
        Err(_) => Vec::new(),
    }
}

/// The first `limit` bytes of the text `input` holds compressed.
pub fn prefix_of(input: impl Read, codec: Codec, limit: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut bounded = Bounded {
        out: &mut out,
        limit,
    };
    let _ = decompress(codec, input, &mut bounded);
    out
}

/// A writer that takes `limit` bytes and then refuses more (ending the copy early).
struct Bounded<'a> {
    out: &'a mut Vec<u8>,
    limit: usize,
}

impl Write for Bounded<'_> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let room = self.limit.saturating_sub(self.out.len());
        if room == 0 {
            return Err(io::Error::new(io::ErrorKind::WriteZero, "enough"));
        }
        let n = room.min(bytes.len());
        self.out.extend_from_slice(&bytes[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_members_and_zstd_frames_are_read_one_after_the_other() {
        use flate2::write::GzEncoder;
        let mut gz = Vec::new();
        for part in ["one\n", "two\n"] {
            let mut encoder = GzEncoder::new(Vec::new(), flate2::Compression::fast());
            encoder.write_all(part.as_bytes()).unwrap();
            gz.extend(encoder.finish().unwrap());
        }
        let mut out = Vec::new();
        decompress(Codec::Gzip, &gz[..], &mut out).unwrap();
        assert_eq!(out, b"one\ntwo\n");
        assert_eq!(codec_of(&gz), Some(Codec::Gzip));
        let mut zst = Vec::new();
        for part in ["three\n", "four\n"] {
            zst.extend(ruzstd::encoding::compress_to_vec(
                part.as_bytes(),
                ruzstd::encoding::CompressionLevel::Fastest,
            ));
        }
        let mut out = Vec::new();
        decompress(Codec::Zstd, &zst[..], &mut out).unwrap();
        assert_eq!(out, b"three\nfour\n");
        assert_eq!(codec_of(&zst), Some(Codec::Zstd));
    }

    #[test]
    fn a_cut_off_stream_gives_its_text_and_then_an_error() {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(&b"{\"a\": 1}\n".repeat(10_000)).unwrap();
        let gz = encoder.finish().unwrap();
        let mut out = Vec::new();
        let result = decompress(Codec::Gzip, &gz[..gz.len() / 2], &mut out);
        assert!(result.is_err());
        assert!(!out.is_empty());
    }

    #[test]
    fn the_plain_name_drops_only_a_compression_extension() {
        assert_eq!(
            plain_name(Path::new("a/clips.jsonl.gz")),
            Path::new("a/clips.jsonl")
        );
        assert_eq!(plain_name(Path::new("talk.vtt.zst")), Path::new("talk.vtt"));
        assert_eq!(
            plain_name(Path::new("clips.jsonl")),
            Path::new("clips.jsonl")
        );
    }
}
