package realhost

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// tmpSuffix marks WriteFile's temporary files; List never shows them.
const tmpSuffix = ".tmp"

// FileDisk is a kvstore.Disk kept in a directory. kvstore.Disk has no error
// results: an I/O error is handed to the fatal function, which must not
// return normally (the example node logs it and exits: a node that cannot
// write its log must stop rather than run on lost state).
type FileDisk struct {
	dir      string
	fatal    func(error)
	open     map[string]*os.File // append handles
	dirty    map[string]bool     // files written since the last sync
	dirDirty bool                // entries created, replaced or removed since the last sync
	synced   func(tag uint64)    // set by New: queues a completion
}

// OpenDisk returns the disk in dir, creating the directory if needed.
// fatal receives I/O errors (nil: panic with them).
func OpenDisk(dir string, fatal func(error)) (*FileDisk, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("realhost: disk directory: %w", err)
	}
	if fatal == nil {
		fatal = func(err error) { panic(err) }
	}
	return &FileDisk{dir: dir, fatal: fatal, open: map[string]*os.File{}, dirty: map[string]bool{}}, nil
}

// Dir returns the disk's directory.
func (d *FileDisk) Dir() string { return d.dir }

func (d *FileDisk) path(name string) string {
	if name == "" || strings.ContainsAny(name, `/\`) || name == "." || name == ".." || strings.HasSuffix(name, tmpSuffix) {
		d.fatal(fmt.Errorf("realhost: invalid file name %q", name))
	}
	return filepath.Join(d.dir, name)
}

func (d *FileDisk) fail(op, name string, err error) {
	d.fatal(fmt.Errorf("realhost: %s %s: %w", op, filepath.Join(d.dir, name), err))
}

// ReadFile returns the file's contents and whether it exists.
func (d *FileDisk) ReadFile(name string) ([]byte, bool) {
	b, err := os.ReadFile(d.path(name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false
	}
	if err != nil {
		d.fail("read", name, err)
		return nil, false
	}
	return b, true
}

// Append appends data to the file, creating it if needed.
func (d *FileDisk) Append(name string, data []byte) {
	f := d.open[name]
	if f == nil {
		p := d.path(name)
		_, statErr := os.Stat(p)
		var err error
		f, err = os.OpenFile(p, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			d.fail("open", name, err)
			return
		}
		if statErr != nil {
			d.dirDirty = true // a new directory entry
		}
		d.open[name] = f
	}
	if _, err := f.Write(data); err != nil {
		d.fail("append to", name, err)
		return
	}
	d.dirty[name] = true
}

// WriteFile replaces the file atomically: a temporary file is written and
// fsynced, then renamed over it.
func (d *FileDisk) WriteFile(name string, data []byte) {
	p := d.path(name)
	d.closeHandle(name)
	tmp := p + tmpSuffix
	if err := writeSynced(tmp, data); err != nil {
		d.fail("write", name+tmpSuffix, err)
		return
	}
	if err := os.Rename(tmp, p); err != nil {
		d.fail("rename over", name, err)
		return
	}
	delete(d.dirty, name) // its data was synced before the rename
	d.dirDirty = true
}

// Remove deletes the file; a missing file is not an error.
func (d *FileDisk) Remove(name string) {
	p := d.path(name)
	d.closeHandle(name)
	delete(d.dirty, name)
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		d.fail("remove", name, err)
		return
	}
	d.dirDirty = true
}

// List returns the names of the files, sorted.
func (d *FileDisk) List() []string {
	ents, err := os.ReadDir(d.dir)
	if err != nil {
		d.fail("list", ".", err)
		return nil
	}
	var names []string
	for _, e := range ents {
		if e.Type().IsRegular() && !strings.HasSuffix(e.Name(), tmpSuffix) {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	return names
}

// Sync fsyncs every file written since the last sync (and the directory if
// entries changed), then queues Fire(tag) for the host's next Drain.
func (d *FileDisk) Sync(tag uint64) {
	names := make([]string, 0, len(d.dirty))
	for n := range d.dirty {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		if f := d.open[n]; f != nil {
			if err := f.Sync(); err != nil {
				d.fail("fsync", n, err)
				return
			}
		}
		delete(d.dirty, n)
	}
	if d.dirDirty {
		if err := syncDir(d.dir); err != nil {
			d.fail("fsync directory", ".", err)
			return
		}
		d.dirDirty = false
	}
	if d.synced != nil {
		d.synced(tag)
	}
}

// Close closes the append handles.
func (d *FileDisk) Close() error {
	var errs []error
	for n := range d.open {
		errs = append(errs, d.closeErr(n))
	}
	return errors.Join(errs...)
}

func (d *FileDisk) closeHandle(name string) {
	if err := d.closeErr(name); err != nil {
		d.fail("close", name, err)
	}
}

func (d *FileDisk) closeErr(name string) error {
	f := d.open[name]
	if f == nil {
		return nil
	}
	delete(d.open, name)
	return f.Close()
}

// writeSynced writes data to path (truncating it) and fsyncs it.
func writeSynced(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// WriteFileDurable atomically replaces path with data and makes it durable
// (temporary file, fsync, rename, fsync of the directory) before it
// returns. For a node's own small files outside its kvstore disk.
func WriteFileDurable(path string, data []byte) error {
	tmp := path + tmpSuffix
	if err := writeSynced(tmp, data); err != nil {
		return fmt.Errorf("realhost: write %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("realhost: rename %s: %w", tmp, err)
	}
	if err := syncDir(filepath.Dir(path)); err != nil {
		return fmt.Errorf("realhost: fsync directory of %s: %w", path, err)
	}
	return nil
}
