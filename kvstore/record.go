package kvstore

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
)

// On-disk record framing, shared by the log and the snapshot file.
//
//	offset size
//	0      4    payload length (little endian)
//	4      4    CRC32C of the payload
//	8      1    record kind
//	9      3    zero
//	12     4    CRC32C of bytes 0..12 (the header checksum)
//	16     n    payload
//
// The header checksum lets recovery trust the length before reading the payload,
// which is what separates the two failure kinds: a record shorter than its
// header says (or a header cut short) can only be the tail of a write that was
// never synced — a torn tail, safe to drop — while a complete record whose
// checksum fails is damage to data that may have been acknowledged: fail-stop.
const (
	recordHeaderSize = 16
	// maxRecordPayload bounds one record; a valid header never claims more.
	maxRecordPayload = 1 << 30
)

// Record kinds.
const (
	recordLogBatch byte = 1 // one Ready's hard state, log reset and entries
	recordSnapshot byte = 2 // the snapshot file's only record
)

// castagnoli is the CRC32C table; read-only after package initialisation.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// beginRecord reserves a header at the end of buf; append the payload, then
// call finishRecord with the returned start.
func beginRecord(buf []byte) (out []byte, start int) {
	start = len(buf)
	var zero [recordHeaderSize]byte
	return append(buf, zero[:]...), start
}

// finishRecord fills in the header of the record that begins at start and
// extends to the end of buf.
func finishRecord(buf []byte, start int, kind byte) {
	payload := buf[start+recordHeaderSize:]
	h := buf[start : start+recordHeaderSize]
	binary.LittleEndian.PutUint32(h[0:4], uint32(len(payload)))
	binary.LittleEndian.PutUint32(h[4:8], crc32.Checksum(payload, castagnoli))
	h[8] = kind
	h[9], h[10], h[11] = 0, 0, 0
	binary.LittleEndian.PutUint32(h[12:16], crc32.Checksum(h[:12], castagnoli))
}

// CorruptError reports synced data that fails its checks. A server that meets
// one refuses to start (fail-stop): continuing could silently lose
// acknowledged writes.
type CorruptError struct {
	File   string
	Offset int // byte offset of the bad record in File
	Reason string
}

// Error returns "file: offset n: reason (corrupt data; refusing to start)".
func (e *CorruptError) Error() string {
	return fmt.Sprintf("%s: offset %d: %s (corrupt data; refusing to start)", e.File, e.Offset, e.Reason)
}

// recordReader walks the records of one file.
type recordReader struct {
	file string
	data []byte
	off  int
}

// next returns the next record. At the end it returns ok=false; torn reports
// that bytes remain which are only the incomplete beginning of a record (the
// valid data ends at r.off). A damaged record is a *CorruptError.
func (r *recordReader) next() (kind byte, payload []byte, ok, torn bool, err error) {
	rest := r.data[r.off:]
	if len(rest) == 0 {
		return 0, nil, false, false, nil
	}
	if len(rest) < recordHeaderSize {
		return 0, nil, false, true, nil
	}
	h := rest[:recordHeaderSize]
	if crc32.Checksum(h[:12], castagnoli) != binary.LittleEndian.Uint32(h[12:16]) {
		return 0, nil, false, false, r.corrupt("record header checksum mismatch")
	}
	n := binary.LittleEndian.Uint32(h[0:4])
	kind = h[8]
	if h[9]|h[10]|h[11] != 0 || n > maxRecordPayload || (kind != recordLogBatch && kind != recordSnapshot) {
		return 0, nil, false, false, r.corrupt(fmt.Sprintf("bad record header (kind %d, length %d)", kind, n))
	}
	if uint64(len(rest)-recordHeaderSize) < uint64(n) {
		return 0, nil, false, true, nil
	}
	payload = rest[recordHeaderSize : recordHeaderSize+int(n)]
	if crc32.Checksum(payload, castagnoli) != binary.LittleEndian.Uint32(h[4:8]) {
		return 0, nil, false, false, r.corrupt("record payload checksum mismatch")
	}
	r.off += recordHeaderSize + int(n)
	return kind, payload, true, false, nil
}

func (r *recordReader) corrupt(reason string) error {
	return &CorruptError{File: r.file, Offset: r.off, Reason: reason}
}
