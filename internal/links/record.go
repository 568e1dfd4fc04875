package links

import "encoding/binary"

// record builds and reads the fields of a spilled record.
type record struct{ b []byte }

func (r *record) uint(v uint64) { r.b = binary.AppendUvarint(r.b, v) }
func (r *record) int(v int64)   { r.b = binary.AppendVarint(r.b, v) }
func (r *record) str(s string)  { r.uint(uint64(len(s))); r.b = append(r.b, s...) }
func (r *record) u64(v uint64)  { r.b = binary.LittleEndian.AppendUint64(r.b, v) }

// recordReader reads the fields of a record in the order they were
// written; a short record reads as zeros and sets bad.
type recordReader struct {
	b   []byte
	bad bool
}

func (r *recordReader) uint() uint64 { return varint(r, binary.Uvarint) }
func (r *recordReader) int() int64   { return varint(r, binary.Varint) }

// varint reads a varint with read (binary.Uvarint or binary.Varint).
func varint[T uint64 | int64](r *recordReader, read func([]byte) (T, int)) T {
	v, n := read(r.b)
	if n <= 0 {
		r.bad = true
		return 0
	}
	r.b = r.b[n:]
	return v
}

// index reads a position in a list of n (a rank, an organisation, a
// count of what follows bounded by n): one out of range reads as 0 and
// sets bad, rather than being used.
func (r *recordReader) index(n int) int {
	v := r.uint()
	if v >= uint64(n) {
		r.bad = true
		return 0
	}
	return int(v)
}

// str returns the next string's bytes (valid while the record is).
func (r *recordReader) str() []byte {
	n := r.uint()
	if uint64(len(r.b)) < n {
		r.bad = true
		return nil
	}
	s := r.b[:n]
	r.b = r.b[n:]
	return s
}

func (r *recordReader) u64() uint64 {
	if len(r.b) < 8 {
		r.bad = true
		return 0
	}
	v := binary.LittleEndian.Uint64(r.b)
	r.b = r.b[8:]
	return v
}
