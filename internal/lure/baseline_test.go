package lure_test

import (
	"context"
	"testing"

	"github.com/vigil-project/vigil/internal/lure"
)

func TestBaseline(t *testing.T) {
	rows := smallRows(t)
	for _, kind := range []lure.BaselineKind{lure.BaselineTFIDF, lure.BaselineNB} {
		t.Run(string(kind), func(t *testing.T) {
			b, err := lure.TrainBaseline(rows, kind, 0.05)
			if err != nil {
				t.Fatal(err)
			}
			b2, _ := lure.TrainBaseline(rows, kind, 0.05)
			var preds []lure.Prediction
			for _, r := range rows {
				p, _ := b.Predict(context.Background(), r)
				q, _ := b2.Predict(context.Background(), r)
				if p != q {
					t.Fatalf("%s: two trainings disagree: %+v, %+v", r.ID, p, q)
				}
				if p.Score <= 0 || p.Score >= 1 {
					t.Errorf("%s: score %v outside (0, 1)", r.ID, p.Score)
				}
				preds = append(preds, p)
			}
			// on its own training rows a bag of words separates these easily
			if m := lure.Evaluate(preds); m.PRAUC < 0.9 {
				t.Errorf("in-sample PR-AUC %.4f, want >= 0.9", m.PRAUC)
			}
		})
	}
	if _, err := lure.TrainBaseline(rows, "svm", 0.05); err == nil {
		t.Error("trained an unknown baseline")
	}
	if _, err := lure.TrainBaseline(fixture(t, "compound_ads.csv"), lure.BaselineNB, 0.05); err == nil {
		t.Error("trained on one class")
	}
}

func TestResample(t *testing.T) {
	var preds []lure.Prediction
	for g := range 40 {
		for k := range 3 {
			label := (g + k) % 2
			preds = append(preds, lure.Prediction{Lang: "en", Group: string(rune('a' + g)), Label: label,
				Score: float64(label)*0.5 + float64(g%7)/10, Positive: label == 1 && g%5 != 0 || label == 0 && g%4 == 0})
		}
	}
	m := lure.Evaluate(preds)
	a, b := lure.Resample(preds, 200, 7), lure.Resample(preds, 200, 7)
	if a[""] != b[""] || a["en"] != b["en"] {
		t.Error("two resamples with one seed differ")
	}
	s := a[""]
	for name, c := range map[string]struct {
		x  float64
		iv lure.Interval
	}{"recall": {m.Recall, s.Recall}, "fpr": {m.FPR, s.FPR}, "pr_auc": {m.PRAUC, s.PRAUC}} {
		if c.iv.Lo > c.x || c.iv.Hi < c.x || c.iv.Lo == c.iv.Hi {
			t.Errorf("%s %.4f: interval [%.4f, %.4f] does not straddle it", name, c.x, c.iv.Lo, c.iv.Hi)
		}
	}
}
