package screen

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// List formats Import and Parse read.
const (
	// FormatOFACCSV is a folder holding OFAC's CSV files: sdn.csv and,
	// when present, alt.csv, add.csv and sdn_comments.csv.
	FormatOFACCSV = "ofac-csv"
	// FormatOFACXML is OFAC's sdn.xml (sdnList/sdnEntry).
	FormatOFACXML = "ofac-xml"
	// FormatUNXML is the UN Security Council consolidated list XML.
	FormatUNXML = "un-xml"
	// FormatFTM is FollowTheMoney entities as JSON lines (OpenSanctions).
	FormatFTM = "ftm-json"
	// FormatCSV is a simple CSV with a header (see ParseCSV).
	FormatCSV = "csv"
)

// Formats lists the formats Parse reads.
var Formats = []string{FormatOFACCSV, FormatOFACXML, FormatUNXML, FormatFTM, FormatCSV}

// ErrFormat means a list's format is unknown or its content is malformed.
var ErrFormat = errors.New("bad list")

// maxEntries bounds the entries one list may hold.
const maxEntries = 5_000_000

// Parse reads the list at path in format.
func Parse(format, path string) ([]Entry, error) {
	switch format {
	case FormatOFACCSV:
		return parseOFACDir(path)
	case FormatOFACXML, FormatUNXML, FormatFTM, FormatCSV:
	default:
		return nil, fmt.Errorf("screen: format %q: want one of %s: %w", format, strings.Join(Formats, ", "), ErrFormat)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("screen: %w", err)
	}
	defer f.Close()
	var es []Entry
	switch format {
	case FormatOFACXML:
		es, err = ParseOFACXML(f)
	case FormatUNXML:
		es, err = ParseUNXML(f)
	case FormatFTM:
		es, err = ParseFTM(f)
	case FormatCSV:
		es, err = ParseCSV(f)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	return es, nil
}

func parseOFACDir(path string) ([]Entry, error) {
	dir := path
	if st, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("screen: %w", err)
	} else if !st.IsDir() {
		dir = filepath.Dir(path)
	}
	open := func(name string, required bool) (io.ReadCloser, error) {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			if !required && errors.Is(err, os.ErrNotExist) {
				return nil, nil
			}
			return nil, fmt.Errorf("screen: %w", err)
		}
		return f, nil
	}
	var files [4]io.ReadCloser
	for i, n := range []string{"sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"} {
		f, err := open(n, i == 0)
		if err != nil {
			for _, c := range files[:i] {
				if c != nil {
					c.Close()
				}
			}
			return nil, err
		}
		files[i] = f
	}
	defer func() {
		for _, f := range files {
			if f != nil {
				f.Close()
			}
		}
	}()
	r := func(i int) io.Reader {
		if files[i] == nil {
			return nil
		}
		return files[i]
	}
	return ParseOFACCSV(r(0), r(1), r(2), r(3))
}

// csvReader reads a CSV file record by record and names the line of every
// error.
type csvReader struct {
	name string
	r    *csv.Reader
}

func newCSVReader(name string, r io.Reader) *csvReader {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	return &csvReader{name: name, r: cr}
}

// each calls fn with every record and its line number, refusing a record
// of fewer than min fields; it stops at the first error.
func (c *csvReader) each(min int, fn func(rec []string, line int) error) error {
	for {
		rec, line, err := c.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if len(rec) < min {
			return c.errorf(line, "want at least %d fields, got %d", min, len(rec))
		}
		if err := fn(rec, line); err != nil {
			return err
		}
	}
}

// next returns the next record, or io.EOF. Empty lines and a trailing
// DOS end-of-file mark are skipped.
func (c *csvReader) next() ([]string, int, error) {
	for {
		rec, err := c.r.Read()
		if err == io.EOF {
			return nil, 0, io.EOF
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, pe.Line, fmt.Errorf("screen: %s line %d: %w: %w", c.name, pe.Line, ErrFormat, pe.Err)
			}
			return nil, 0, fmt.Errorf("screen: %s: %w", c.name, err)
		}
		line, _ := c.r.FieldPos(0)
		if len(rec) == 1 && strings.Trim(rec[0], "\x1a \t") == "" {
			continue
		}
		for i, f := range rec {
			rec[i] = cleanField(f)
		}
		return rec, line, nil
	}
}

func (c *csvReader) errorf(line int, format string, a ...any) error {
	return fmt.Errorf("screen: %s line %d: %w: %s", c.name, line, ErrFormat, fmt.Sprintf(format, a...))
}

// cleanField trims a field, maps OFAC's "-0-" to empty and decodes text
// that is not UTF-8 as Windows-1252 (older OFAC files).
func cleanField(s string) string {
	s = strings.TrimSpace(s)
	if s == "-0-" {
		return ""
	}
	if !utf8.ValidString(s) {
		if d, err := charmap.Windows1252.NewDecoder().String(s); err == nil {
			s = d
		} else {
			s = strings.ToValidUTF8(s, "\uFFFD")
		}
	}
	return s
}
