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
		return fmt.Errorf("lure: want score, train, eval or cv: %w", errUsage)
	}
	switch args[0] {
	case "score":
		return runLureScore(ctx, e, args[1:])
	case "train":
		return runLureTrain(ctx, e, args[1:])
	case "eval":
		return runLureEval(ctx, e, args[1:])
	case "cv":
		return runLureCV(ctx, e, args[1:])
	}
	return fmt.Errorf("lure: unknown %q (want score, train, eval or cv): %w", args[0], errUsage)
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
	split := fs.String("split", "all", "rows to train on: all (the embedded model), train (all but the held-out groups, to measure on test) or test")
	corpus := fs.Bool("corpus", true, "add the training part of Vigil's own corpus (compound-recruitment lures and local job ads in five languages)")
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
	if *corpus {
		extra, err := lure.TrainingCorpus()
		if err != nil {
			return err
		}
		rows = append(rows, extra...)
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
	fmt.Fprintf(e.stdout, "trained %s on %d rows (%d lures, split %s, corpus %v): %d non-zero weights, %d bytes -> %s\n",
		info.Features, info.Train.Rows, info.Train.Positives, sp, *corpus, info.NonZero, buf.Len(), *out)
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
	split := fs.String("split", "all", "rows to evaluate: all, train or test (the held-out groups: FNV-1a(group) mod 5 == 0); the embedded model has seen every row of the shared file, so measure --split test with a model trained with --split train")
	compare := fs.Bool("compare", false, "also train the bag-of-words baselines on the other split of the same file (and the training corpus) and print them beside, with campaign-resampled spread")
	baseTrain := fs.String("baseline-train", "", "with --compare: train the baselines on all of this file (and the training corpus) instead, as the embedded model is")
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
	if *compare {
		var tr []lure.Example
		other := lure.SplitAll
		from := *baseTrain
		if from == "" {
			from, other = *in, lure.SplitTrain
			switch sp {
			case lure.SplitTrain:
				other = lure.SplitTest
			case lure.SplitAll:
				return fmt.Errorf("lure eval: --compare needs --split test or train, or --baseline-train: %w", errUsage)
			}
		}
		if tr, _, err = readLureCSV(from, string(other)); err != nil {
			return err
		}
		extra, err := lure.TrainingCorpus()
		if err != nil {
			return err
		}
		tr = append(tr, extra...)
		name := "embedded"
		if *modelPath != "" {
			name = *modelPath
		}
		set := map[string][]lure.Prediction{name: preds}
		order := []string{name}
		if !*raw {
			var rawPreds []lure.Prediction
			for _, r := range rows {
				p, err := s.Predict(ctx, r, true)
				if err != nil {
					return err
				}
				rawPreds = append(rawPreds, p)
			}
			set[name+" (model alone)"] = rawPreds
			order = append(order, name+" (model alone)")
		}
		for _, kind := range []lure.BaselineKind{lure.BaselineTFIDF, lure.BaselineNB} {
			b, err := lure.TrainBaseline(tr, kind, lure.DefaultTrainConfig().ElevatedFPR)
			if err != nil {
				return err
			}
			var ps []lure.Prediction
			for _, r := range rows {
				p, _ := b.Predict(ctx, r)
				ps = append(ps, p)
			}
			set[string(kind)] = ps
			order = append(order, string(kind))
		}
		fmt.Fprintf(e.stdout, "%s: %d rows, split %s; baselines trained on %s split %s plus the training corpus (%d rows)\n",
			*in, len(rows), sp, from, other, len(tr))
		// name each row's campaign/company group, for resampling by group
		groups := lure.Groups(rows)
		for _, ps := range set {
			for i := range ps {
				ps[i].Group = groups[i]
			}
		}
		return printSpread(e, set, order)
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

// runLureCV cross-validates the training recipe by campaign: the groups of
// the file are dealt into folds, each scored by models trained on the other
// folds (plus the training corpus), and the pooled scores of Vigil's model
// and the baselines are printed with their campaign-resampled spread.
func runLureCV(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "lure cv")
	in := fs.String("in", "", "labelled ads, CSV with the header id,source,lang,label,text")
	split := fs.String("split", "all", "rows to cross-validate: all, train or test")
	folds := fs.Int("folds", 5, "number of folds (by group)")
	corpus := fs.Bool("corpus", true, "add the training part of Vigil's own corpus to every fold's training rows")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("lure cv: unexpected argument %q: %w", fs.Arg(0), errUsage)
	}
	rows, sp, err := readLureCSV(*in, *split)
	if err != nil {
		return err
	}
	var extra []lure.Example
	if *corpus {
		if extra, err = lure.TrainingCorpus(); err != nil {
			return err
		}
	}
	set, err := lure.CrossValidate(ctx, rows, extra, *folds, lure.DefaultTrainConfig())
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s: %d rows, split %s, %d folds by campaign/company group, corpus %v (%d rows)\n",
		*in, len(rows), sp, *folds, *corpus, len(extra))
	return printSpread(e, set, []string{lure.ModelVigil, lure.ModelVigilRaw, string(lure.BaselineTFIDF), string(lure.BaselineNB)})
}

// printSpread prints, for each model and language, recall and false-positive
// rate at the model's own threshold, PR-AUC and the best recall at FPR <= 5 %,
// each with its 5th-95th percentile over 500 draws of the groups.
func printSpread(e *env, set map[string][]lure.Prediction, order []string) error {
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "model\tlang\tn\tlures\trecall [5-95%]\tfpr [5-95%]\tpr_auc [5-95%]\trecall@fpr5 [5-95%]\t")
	for _, name := range order {
		preds := set[name]
		rep := lure.Evaluate(preds)
		spread := lure.Resample(preds, 500, 1)
		langs := make([]string, 0, len(rep.ByLang))
		for l, m := range rep.ByLang {
			if m.N >= 10 {
				langs = append(langs, l)
			}
		}
		sort.Strings(langs)
		for _, l := range append(langs, "all") {
			m, sd := rep.Metrics, spread[""]
			if l != "all" {
				m, sd = rep.ByLang[l], spread[l]
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%.3f [%.2f-%.2f]\t%.3f [%.2f-%.2f]\t%.3f [%.2f-%.2f]\t%.3f [%.2f-%.2f]\t\n",
				name, l, m.N, m.Positives, m.Recall, sd.Recall.Lo, sd.Recall.Hi, m.FPR, sd.FPR.Lo, sd.FPR.Hi,
				m.PRAUC, sd.PRAUC.Lo, sd.PRAUC.Hi, m.RecallAtFPR5, sd.RecallAtFPR5.Lo, sd.RecallAtFPR5.Hi)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "recall and fpr are at each model's own threshold (chosen on out-of-fold training scores, by group, for the configured FPR: 3 % by default); recall@fpr5 uses the best threshold on these rows (ranking only). Spread: groups (campaigns, companies) drawn again with replacement.")
	return nil
}
