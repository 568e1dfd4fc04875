package store

import (
	"database/sql"
	"reflect"
	"testing"
)

// TestDiff: computed and stored keys merged in order give the rows to
// insert, update and delete, wherever they fall.
func TestDiff(t *testing.T) {
	for _, tc := range []struct {
		name             string
		computed, stored []string
		differ           map[string]bool // keys on both sides whose rows differ
		ins, upd         []int
		del              []string
	}{
		{name: "both empty"},
		{name: "from empty", computed: []string{"a", "b"}, ins: []int{0, 1}},
		{name: "to empty", stored: []string{"a", "b"}, del: []string{"a", "b"}},
		{name: "right", computed: []string{"a", "b"}, stored: []string{"a", "b"}},
		{name: "interleaved", computed: []string{"b", "d", "e"}, stored: []string{"a", "b", "c", "e", "f"},
			differ: map[string]bool{"e": true}, ins: []int{1}, upd: []int{2}, del: []string{"a", "c", "f"}},
		{name: "all before", computed: []string{"a", "b"}, stored: []string{"c"}, ins: []int{0, 1}, del: []string{"c"}},
		{name: "all after", computed: []string{"c"}, stored: []string{"a", "b"}, ins: []int{0}, del: []string{"a", "b"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var cur sql.RawBytes
			k := 0
			ins, upd, del, err := diff(len(tc.computed), func(i int) int { return compare(tc.computed[i], cur) }, func() (bool, error) {
				if k == len(tc.stored) {
					return false, nil
				}
				cur = sql.RawBytes(tc.stored[k])
				k++
				return true, nil
			}, func(i int) bool { return !tc.differ[tc.computed[i]] }, func() string { return string(cur) })
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(ins, tc.ins) || !reflect.DeepEqual(upd, tc.upd) || !reflect.DeepEqual(del, tc.del) {
				t.Errorf("diff = ins %v upd %v del %v; want %v %v %v", ins, upd, del, tc.ins, tc.upd, tc.del)
			}
		})
	}
}
