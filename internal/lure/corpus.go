package lure

import (
	"bytes"
	"embed"
	"fmt"
)

// corpusFS holds Vigil's own labelled data, written or collected by its
// developers (see corpus/README.md): compound-recruitment lures in five
// languages, ordinary local job ads and ordinary non-job messages. Every row
// names its source and its pattern (the `group` column).
//
//go:embed corpus/*.csv
var corpusFS embed.FS

// The files of the corpus.
const (
	CorpusLures    = "compound_lures.csv" // compound-recruitment lures, label 1
	CorpusLegit    = "legit_ads.csv"      // ordinary local job ads, label 0
	CorpusMessages = "messages.csv"       // ordinary non-job messages, label 0
)

// Corpus returns the rows of one file of the embedded corpus.
func Corpus(name string) ([]Example, error) {
	b, err := corpusFS.ReadFile("corpus/" + name)
	if err != nil {
		return nil, fmt.Errorf("lure: corpus: %w", err)
	}
	rows, err := ReadCSV(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("lure: corpus %s: %w", name, err)
	}
	return rows, nil
}

// TrainingCorpus returns the part of the corpus that training adds to the
// labelled file by default: the lures and the local job ads whose pattern is
// not held out (Select with SplitTrain). The messages are never trained on:
// they measure the job-ad gate.
func TrainingCorpus() ([]Example, error) {
	var out []Example
	for _, name := range []string{CorpusLures, CorpusLegit} {
		rows, err := Corpus(name)
		if err != nil {
			return nil, err
		}
		out = append(out, Select(rows, SplitTrain)...)
	}
	return out, nil
}
