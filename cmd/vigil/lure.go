package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/vigil-project/vigil/internal/lure"
)

// maxAdBytes bounds the ad text `lure score` reads.
const maxAdBytes = 1 << 20

// runLure dispatches `vigil lure score|train|eval`.
func runLure(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("lure: want score, train or eval: %w", errUsage)
	}
	switch args[0] {
	case "score":
		return runLureScore(ctx, e, args[1:])
	case "train":
		return runLureTrain(ctx, e, args[1:])
	case "eval":
		return runLureEval(ctx, e, args[1:])
	}
	return fmt.Errorf("lure: unknown %q (want score, train or eval): %w", args[0], errUsage)
}

// runLureScore scores one ad, read from --in, a file argument or stdin, and
// prints the result as JSON.
func runLureScore(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "lure score")
	in := fs.String("in", "", "file with the ad text (default: the argument, or stdin)")
	lang := fs.String("lang", "en", "language of the reasons: "+strings.Join(lure.Languages(), ", "))
	modelPath := fs.String("model", "", "model file (default: the embedded model)")
	compact := fs.Bool("compact", false, "print the JSON on one line")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	path := *in
	switch {
	case fs.NArg() > 1, fs.NArg() == 1 && path != "":
		return fmt.Errorf("lure score: one ad at a time (--in or one file argument): %w", errUsage)
	case fs.NArg() == 1:
		path = fs.Arg(0)
	}
	r := e.stdin
	if path != "" && path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("lure score: %w", err)
		}
		defer f.Close()
		r = f
	}
	text, err := io.ReadAll(io.LimitReader(r, maxAdBytes+1))
	if err != nil {
		return fmt.Errorf("lure score: read ad: %w", err)
	}
	if len(text) > maxAdBytes {
		return fmt.Errorf("lure score: ad longer than %d bytes", maxAdBytes)
	}
	if len(bytes.TrimSpace(text)) == 0 {
		return fmt.Errorf("lure score: no ad text on stdin or in the file: %w", errUsage)
	}
	s, err := newLureScorer(*modelPath)
	if err != nil {
		return err
	}
	res, err := s.Score(ctx, string(text), *lang)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(e.stdout)
	enc.SetEscapeHTML(false)
	if !*compact {
		enc.SetIndent("", "  ")
	}
	return enc.Encode(res)
}

// newLureScorer returns a scorer with the model at path, or the embedded
// model when path is empty.
func newLureScorer(path string) (*lure.Scorer, error) {
	if path == "" {
		return lure.New()
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("lure: model: %w", err)
	}
	defer f.Close()
	m, err := lure.ReadModel(f)
	if err != nil {
		return nil, fmt.Errorf("lure: model %s: %w", path, err)
	}
	return lure.New(lure.WithModel(m))
}

// readLureCSV reads labelled ads from path and keeps the split.
func readLureCSV(path, split string) ([]lure.Example, lure.Split, error) {
	sp, err := lure.ParseSplit(split)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %w", err, errUsage)
	}
	if path == "" {
		return nil, "", fmt.Errorf("lure: --in is required: %w", errUsage)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, "", fmt.Errorf("lure: %w", err)
	}
	defer f.Close()
	rows, err := lure.ReadCSV(f)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", path, err)
	}
	return lure.Select(rows, sp), sp, nil
}

// runLureTrain trains a model on a labelled CSV file and writes it.
func runLureTrain(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "lure train")
	in := fs.String("in", "", "labelled ads, CSV with the header id,source,lang,label,text")
	out := fs.String("out", "", "where to write the model")
	split := fs.String("split", "train", "rows to train on: train (all but the held-out fifth), test or all")
	def := lure.DefaultTrainConfig()
	features := fs.String("features", string(def.Features), "feature set: full, or bow for the bag-of-words baseline")
	bits := fs.Int("bits", def.Bits, "log2 of the hashed feature space")
	epochs := fs.Int("epochs", def.Epochs, "passes of stochastic gradient descent")
	lambda := fs.Float64("lambda", def.Lambda, "L2 regularisation")
	seed := fs.Uint64("seed", def.Seed, "seed of the example order")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" || fs.NArg() > 0 {
		return fmt.Errorf("lure train: want --in and --out and no arguments: %w", errUsage)
	}
	rows, sp, err := readLureCSV(*in, *split)
	if err != nil {
		return err
	}
	cfg := def
	cfg.Features, cfg.Bits, cfg.Epochs, cfg.Lambda, cfg.Seed = lure.FeatureSet(*features), *bits, *epochs, *lambda, *seed
	m, err := lure.Train(rows, cfg)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		return err
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("lure train: %w", err)
	}
	info := m.Info()
	fmt.Fprintf(e.stdout, "trained %s on %d rows (%d lures, split %s): %d non-zero weights, %d bytes -> %s\n",
		info.Features, info.Train.Rows, info.Train.Positives, sp, info.NonZero, buf.Len(), *out)
	langs := make([]string, 0, len(info.Calibration))
	for l := range info.Calibration {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	for _, l := range langs {
		c := info.Calibration[l]
		name := l
		if name == "" {
			name = "other"
		}
		fmt.Fprintf(e.stdout, "  %-5s elevated >= %.4f  high >= %.4f  cross-validated recall %.4f at FPR %.4f\n",
			name, c.Elevated, c.High, info.Train.CVRecall[l], info.Train.CVFPR[l])
	}
	return nil
}

// runLureEval scores a labelled CSV file and prints precision, recall, F1,
// PR-AUC, the false-positive rate and the confusion matrix of the lure
// class, per language and overall.
func runLureEval(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "lure eval")
	in := fs.String("in", "", "labelled ads, CSV with the header id,source,lang,label,text")
	split := fs.String("split", "all", "rows to evaluate: all, train or test (the held-out fifth: FNV-1a(id) mod 5 == 0)")
	modelPath := fs.String("model", "", "model file (default: the embedded model)")
	raw := fs.Bool("raw", false, "the model alone: probability against its threshold, no indicator rules or job-ad gate")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("lure eval: unexpected argument %q: %w", fs.Arg(0), errUsage)
	}
	rows, sp, err := readLureCSV(*in, *split)
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		return errors.New("lure eval: no rows to evaluate")
	}
	s, err := newLureScorer(*modelPath)
	if err != nil {
		return err
	}
	preds := make([]lure.Prediction, 0, len(rows))
	for _, r := range rows {
		if err := ctx.Err(); err != nil {
			return err
		}
		p, err := s.Predict(ctx, r, *raw)
		if err != nil {
			return err
		}
		preds = append(preds, p)
	}
	rep := lure.Evaluate(preds)
	model := "embedded"
	if *modelPath != "" {
		model = *modelPath
	}
	mode := "full"
	if *raw {
		mode = "raw"
	}
	if *asJSON {
		out := struct {
			lure.Report
			Split    lure.Split `json:"split"`
			Model    string     `json:"model"`
			Features string     `json:"features"`
			Mode     string     `json:"mode"`
		}{rep, sp, model, string(s.Model().Info().Features), mode}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	fmt.Fprintf(e.stdout, "%s: %d rows, split %s, model %s (%s), mode %s\n",
		*in, len(rows), sp, model, s.Model().Info().Features, mode)
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "lang\tn\tlures\tprecision\trecall\tf1\tfpr\tpr_auc\trecall@fpr5\ttp\tfp\tfn\ttn\tlow\televated\thigh\t")
	line := func(name string, m lure.Metrics) {
		c := m.Confusion
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t\n",
			name, m.N, m.Positives, m.Precision, m.Recall, m.F1, m.FPR, m.PRAUC, m.RecallAtFPR5,
			c.TP, c.FP, c.FN, c.TN, m.Levels[lure.LevelLow], m.Levels[lure.LevelElevated], m.Levels[lure.LevelHigh])
	}
	langs := make([]string, 0, len(rep.ByLang))
	for l := range rep.ByLang {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	for _, l := range langs {
		line(l, rep.ByLang[l])
	}
	line("all", rep.Metrics)
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "A row counts as called a lure at level elevated or high; recall@fpr5 is the best recall at FPR <= 5 % with the threshold chosen on these rows (ranking only).")
	return nil
}
