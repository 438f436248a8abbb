//! The folder the index lives in: tantivy's memory-mapped directory, except that the bulky files
//! read a small piece at a time (the document store, postings and positions) are read with
//! ordinary positioned reads.
//!
//! Why: every page of a mapped file that a search touches stays in the process's resident
//! memory until the kernel needs it back. At a million documents the searches of a busy day
//! touch most of the document store (ten scattered documents per page of results), so a
//! serving process's resident size grew with the index rather than with its work. Read
//! through the page cache instead, those pages are the kernel's, shared and reclaimable, and
//! the process holds only the few it is decoding. The term dictionaries, fast fields and field
//! norms stay mapped: they are read all over, by every search.
//!
//! A read of [`MAPPED_FROM`] bytes or more (a merge stacking a whole document store, a very
//! common term's postings) goes through the mapping, so no read ever copies a whole file.

use std::fs::File;
use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use tantivy::HasLen;
use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, OwnedBytes, WatchCallback, WatchHandle, WritePtr,
};

/// Reads of this many bytes or more go through the mapping.
const MAPPED_FROM: usize = 4 << 20;

/// Files read with positioned reads, by extension: document store, postings, positions.
const READ_NOT_MAPPED: &[&str] = &["store", "idx", "pos"];

#[derive(Clone, Debug)]
pub struct IndexDirectory {
    mmap: MmapDirectory,
    root: PathBuf,
}

impl IndexDirectory {
    pub fn open(root: &Path) -> tantivy::Result<IndexDirectory> {
        Ok(IndexDirectory { mmap: MmapDirectory::open(root)?, root: root.to_path_buf() })
    }
}

fn read_not_mapped(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| READ_NOT_MAPPED.contains(&e))
}

impl Directory for IndexDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        if !cfg!(unix) || !read_not_mapped(path) {
            return self.mmap.get_file_handle(path);
        }
        let file = File::open(self.root.join(path)).map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => OpenReadError::FileDoesNotExist(path.to_path_buf()),
            _ => OpenReadError::wrap_io_error(e, path.to_path_buf()),
        })?;
        let len = file.metadata().map_err(|e| OpenReadError::wrap_io_error(e, path.to_path_buf()))?.len() as usize;
        Ok(Arc::new(ReadFile { file, len, path: path.to_path_buf(), mmap: self.mmap.clone(), mapped: OnceLock::new() }))
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.mmap.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.mmap.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        self.mmap.open_write(path)
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.mmap.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        self.mmap.atomic_write(path, data)
    }

    fn sync_directory(&self) -> io::Result<()> {
        self.mmap.sync_directory()
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        self.mmap.acquire_lock(lock)
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.mmap.watch(watch_callback)
    }
}

/// A file read with positioned reads (large reads through the mapping, made on first need).
#[derive(Debug)]
struct ReadFile {
    file: File,
    len: usize,
    path: PathBuf,
    mmap: MmapDirectory,
    mapped: OnceLock<Arc<dyn FileHandle>>,
}

impl HasLen for ReadFile {
    fn len(&self) -> usize {
        self.len
    }
}

impl FileHandle for ReadFile {
    fn read_bytes(&self, range: Range<usize>) -> io::Result<OwnedBytes> {
        if range.len() >= MAPPED_FROM {
            let mapped = match self.mapped.get() {
                Some(m) => m,
                None => {
                    let m = self.mmap.get_file_handle(&self.path).map_err(io::Error::other)?;
                    self.mapped.get_or_init(|| m)
                }
            };
            return mapped.read_bytes(range);
        }
        let mut buf = vec![0u8; range.len()];
        read_exact_at(&self.file, &mut buf, range.start as u64)?;
        Ok(OwnedBytes::new(buf))
    }
}

#[cfg(unix)]
fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(not(unix))]
fn read_exact_at(_: &File, _: &mut [u8], _: u64) -> io::Result<()> {
    // Never called: elsewhere every file is mapped (see `get_file_handle`).
    Err(io::Error::other("positioned reads are used on Unix only"))
}
