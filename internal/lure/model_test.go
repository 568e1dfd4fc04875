package lure_test

import (
	"bytes"
	"errors"
	"os"
	"runtime"
	"testing"

	"github.com/vigil-project/vigil/internal/lure"
)

// smallRows is a quick training set from the fixtures.
func smallRows(t testing.TB) []lure.Example {
	var rows []lure.Example
	for _, f := range []string{"compound_ads.csv", "legit_ads_region.csv"} {
		rows = append(rows, fixture(t, f)...)
	}
	return rows
}

func TestModelRoundTrip(t *testing.T) {
	cfg := lure.DefaultTrainConfig()
	cfg.Bits = 12
	m, err := lure.Train(smallRows(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	var b1 bytes.Buffer
	if _, err := m.WriteTo(&b1); err != nil {
		t.Fatal(err)
	}
	m2, err := lure.ReadModel(bytes.NewReader(b1.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	var b2 bytes.Buffer
	m2.WriteTo(&b2)
	if !bytes.Equal(b1.Bytes(), b2.Bytes()) {
		t.Error("read and written again, the model changed")
	}
	// Any damage is refused.
	bad := bytes.Clone(b1.Bytes())
	bad[len(bad)/2] ^= 0x10
	if _, err := lure.ReadModel(bytes.NewReader(bad)); !errors.Is(err, lure.ErrBadModel) {
		t.Errorf("flipped bit: got %v, want ErrBadModel", err)
	}
	if _, err := lure.ReadModel(bytes.NewReader(b1.Bytes()[:100])); !errors.Is(err, lure.ErrBadModel) {
		t.Errorf("truncated: got %v, want ErrBadModel", err)
	}
}

func TestTrainDeterministic(t *testing.T) {
	cfg := lure.DefaultTrainConfig()
	cfg.Bits = 14
	var out [2][]byte
	for i := range out {
		m, err := lure.Train(smallRows(t), cfg)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		m.WriteTo(&b)
		out[i] = b.Bytes()
	}
	if !bytes.Equal(out[0], out[1]) {
		t.Error("two trainings on the same rows gave different models")
	}
}

func TestTrainRefuses(t *testing.T) {
	rows := fixture(t, "compound_ads.csv") // one class only
	if _, err := lure.Train(rows, lure.DefaultTrainConfig()); err == nil {
		t.Error("trained on lures only")
	}
	cfg := lure.DefaultTrainConfig()
	cfg.Features = "fancy"
	if _, err := lure.Train(smallRows(t), cfg); err == nil {
		t.Error("trained with an unknown feature set")
	}
}

// TestEmbeddedModelReproducible retrains on the shared data and the
// training part of the corpus (what `vigil lure train` does with its default
// flags) with the default configuration and compares the bytes with the
// embedded model.bin. The check is byte for byte on amd64, where the
// file was made; elsewhere math.Exp may differ in the last bit, and the test
// only checks that the thresholds agree closely.
func TestEmbeddedModelReproducible(t *testing.T) {
	extra, err := lure.TrainingCorpus()
	if err != nil {
		t.Fatal(err)
	}
	rows := append(sharedRows(t), extra...)
	m, err := lure.Train(rows, lure.DefaultTrainConfig())
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	m.WriteTo(&b)
	want, err := os.ReadFile("model.bin")
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOARCH == "amd64" {
		if !bytes.Equal(b.Bytes(), want) {
			t.Fatalf("retrained model (%d bytes) differs from model.bin (%d bytes); regenerate with: "+
				"vigil lure train --in ../shared/data/lure/train.csv --out internal/lure/model.bin", b.Len(), len(want))
		}
		return
	}
	emb, err := lure.ReadModel(bytes.NewReader(want))
	if err != nil {
		t.Fatal(err)
	}
	for lang, c := range emb.Info().Calibration {
		got := m.Info().Calibration[lang]
		if d := got.Elevated - c.Elevated; d > 1e-3 || d < -1e-3 {
			t.Errorf("%q: elevated threshold %v, embedded %v", lang, got.Elevated, c.Elevated)
		}
	}
}

func TestEmbeddedModelSize(t *testing.T) {
	fi, err := os.Stat("model.bin")
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() > 20<<20 {
		t.Errorf("model.bin is %d bytes, over 20 MB", fi.Size())
	}
	t.Logf("model.bin: %d bytes", fi.Size())
}
