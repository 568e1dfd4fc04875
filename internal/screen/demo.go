package screen

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"

	"github.com/vigil-project/vigil/internal/store"
)

// DemoList is the name the demo watch list is imported as.
const DemoList = "demo-sdn"

// demoCSV is a tiny list built from public record: Try Pheap and his
// companies, the Kings Romans network, Prince Group and Chen Zhi, and two
// controls (see demo/README.md).
//
//go:embed demo/demo-sdn.csv
var demoCSV []byte

// DemoEntries returns the entries of the demo watch list.
func DemoEntries() ([]Entry, error) {
	es, err := ParseCSV(bytes.NewReader(demoCSV))
	if err != nil {
		return nil, fmt.Errorf("screen: demo list: %w", err)
	}
	return es, nil
}

// LoadDemo imports the demo watch list as DemoList (a no-op when it is
// already there unchanged) and screens reports against it.
func (s *Service) LoadDemo(ctx context.Context) (Diff, error) {
	es, err := DemoEntries()
	if err != nil {
		return Diff{}, err
	}
	return s.ImportEntries(ctx, DemoList, FormatCSV, "embedded demo/demo-sdn.csv", es)
}

// LoadDemoList imports the demo watch list into db with a Service of its
// own. A running server sees it within RefreshInterval.
func LoadDemoList(ctx context.Context, db *store.DB) error {
	_, err := New(db, nil).LoadDemo(ctx)
	return err
}
