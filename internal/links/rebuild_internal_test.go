package links

import (
	"testing"
)

// TestBucketOf: an id's bucket is the one whose range holds it in string
// order, whether read from its hex digits or searched for.
func TestBucketOf(t *testing.T) {
	ids := []string{"", "0", "00", "0000ffff", "03ff", "04", "0400", "3fff", "40", "7f", "80", "bf", "c0", "fb", "fc", "fcff", "ff", "ffffffff",
		"0g", "0G", "A1", "Zz", "g0", "stray", "~", "\xff"}
	for _, id := range ids {
		k := bucketOf(id)
		if k < 0 || k >= rebuildBuckets {
			t.Errorf("bucketOf(%q) = %d: out of range", id, k)
			continue
		}
		if lo := bucketLo(k); id < lo {
			t.Errorf("bucketOf(%q) = %d, whose lowest id is %q", id, k, lo)
		}
		if k+1 < rebuildBuckets {
			if hi := bucketLo(k + 1); id >= hi {
				t.Errorf("bucketOf(%q) = %d, but the next bucket starts at %q", id, k, hi)
			}
		}
	}
}

// TestRecord: fields come back as written; a short record is noticed,
// not read past.
func TestRecord(t *testing.T) {
	var r record
	r.uint(300)
	r.int(-5)
	r.u64(1 << 40)
	r.str("+85512345678")
	rd := recordReader{b: r.b}
	if rd.uint() != 300 || rd.int() != -5 || rd.u64() != 1<<40 || string(rd.str()) != "+85512345678" || rd.bad || len(rd.b) != 0 {
		t.Error("record read back wrong")
	}
	short := recordReader{b: []byte{5, 'a'}}
	if short.str(); !short.bad {
		t.Error("a short string was read")
	}
	if short := (recordReader{b: []byte{1, 2}}); short.u64() != 0 || !short.bad {
		t.Error("a short u64 was read")
	}
	if out := (recordReader{b: []byte{7}}); out.index(7) != 0 || !out.bad {
		t.Error("a position out of its list was read")
	}
	if in := (recordReader{b: []byte{6}}); in.index(7) != 6 || in.bad {
		t.Error("a position in its list was refused")
	}
}
