package lure

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
)

// embeddedModel is the model trained by `vigil lure train` with its default
// flags: on all of ../shared/data/lure/train.csv and the training part of
// the corpus; TestEmbeddedModelReproducible retrains it and compares the
// bytes.
//
//go:embed model.bin
var embeddedModel []byte

// Model is a trained, calibrated lure classifier. It is immutable and safe
// for concurrent use.
type Model struct {
	info ModelInfo
	w    []float32 // dense weights, len 1<<info.Bits
}

// ModelInfo describes a model: its features, calibration, thresholds and
// how it was trained. It is the header of the model file.
type ModelInfo struct {
	// Version is the file format version.
	Version int `json:"version"`
	// Features is the feature set the model reads.
	Features FeatureSet `json:"features"`
	// Bits is log2 of the size of the hashed feature space.
	Bits int `json:"bits"`
	// Bias is the intercept of the logistic regression.
	Bias float64 `json:"bias"`
	// Calibration maps the raw score to a probability and places the
	// thresholds of the levels, per language of the ad as guessed from its
	// script ("en", "zh" …); the entry "" serves every other language and
	// is the strictest. The entry "employer" serves ads with employer
	// fields, when Employer is set.
	Calibration map[string]Calibration `json:"calibration"`
	// Employer, when present, adds to the raw score of an ad with employer
	// fields (see EmployerModel).
	Employer *EmployerModel `json:"employer,omitempty"`
	// NonZero is the number of non-zero weights.
	NonZero int `json:"nonzero"`
	// Train records the training run.
	Train TrainReport `json:"train"`
}

// Calibration turns a raw score z into a probability 1/(1+exp(-(A*z+B)))
// (Platt scaling, fitted on out-of-fold scores) and holds the probability
// thresholds of the levels, chosen on the same scores so that the
// false-positive rate stays at or below the configured rates.
type Calibration struct {
	A        float64 `json:"a"`
	B        float64 `json:"b"`
	Elevated float64 `json:"elevated"`
	High     float64 `json:"high"`
}

// TrainReport records how a model was trained and how it did in
// cross-validation on its own training data.
type TrainReport struct {
	Rows      int     `json:"rows"`
	Positives int     `json:"positives"`
	Epochs    int     `json:"epochs"`
	Lambda    float64 `json:"lambda"`
	Seed      uint64  `json:"seed"`
	Folds     int     `json:"folds"`
	// ElevatedFPR and HighFPR are the false-positive rates the thresholds
	// were chosen for.
	ElevatedFPR float64 `json:"elevated_fpr"`
	HighFPR     float64 `json:"high_fpr"`
	// CVRecall is the out-of-fold recall at the elevated threshold, by
	// language and overall ("").
	CVRecall map[string]float64 `json:"cv_recall"`
	// CVFPR is the out-of-fold false-positive rate at the elevated
	// threshold, by language and overall ("").
	CVFPR map[string]float64 `json:"cv_fpr"`
}

// calEmployer is the calibration of ads with employer fields.
const calEmployer = "employer"

const (
	modelMagic   = "VLURE\x00\x01\n"
	modelVersion = 1
	maxModelBits = 24
)

// Info returns the model's description.
func (m *Model) Info() ModelInfo { return m.info }

// calibration returns the calibration for an ad in language lang.
func (m *Model) calibration(lang string) Calibration {
	if c, ok := m.info.Calibration[lang]; ok {
		return c
	}
	return m.info.Calibration[""]
}

// rawScore returns the model's raw score of folded text s in language
// lang, with the indicator codes and monthly pay found in it, and the
// calibration that applies: the text model's score and the language's
// calibration, or, when the model has an employer model and the ad has
// employer fields, the two models' scores together and the calibration of
// such ads.
func (m *Model) rawScore(fz *featurizer, s, lang string, codes []string, payUSD float64) (float64, Calibration) {
	z := fz.score(s, codes, payUSD, m.w, m.info.Bias)
	if m.info.Employer != nil {
		if c, ok := m.info.Calibration[calEmployer]; ok {
			if fs := employerFields(s); len(fs) > 0 {
				return z + m.info.Employer.score(fs), c
			}
		}
	}
	return z, m.calibration(lang)
}

// probability turns a raw score into a probability.
func (c Calibration) probability(z float64) float64 {
	return sigmoid(float64(c.A*z) + c.B)
}

func sigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}

// WriteTo writes the model in its binary format: a magic line, the JSON
// header, the non-zero weights as (index delta, float32) pairs, and a CRC-32.
// The bytes depend only on the model, so equal models write equal files.
func (m *Model) WriteTo(w io.Writer) (int64, error) {
	var buf bytes.Buffer
	buf.WriteString(modelMagic)
	info := m.info
	info.Version = modelVersion
	info.NonZero = 0
	for _, x := range m.w {
		if x != 0 {
			info.NonZero++
		}
	}
	h, err := json.Marshal(info)
	if err != nil {
		return 0, fmt.Errorf("lure: write model: %w", err)
	}
	buf.Write(binary.LittleEndian.AppendUint32(nil, uint32(len(h))))
	buf.Write(h)
	var tmp [binary.MaxVarintLen64]byte
	prev := 0
	for i, x := range m.w {
		if x == 0 {
			continue
		}
		n := binary.PutUvarint(tmp[:], uint64(i-prev))
		buf.Write(tmp[:n])
		buf.Write(binary.LittleEndian.AppendUint32(nil, math.Float32bits(x)))
		prev = i
	}
	buf.Write(binary.LittleEndian.AppendUint32(nil, crc32.ChecksumIEEE(buf.Bytes())))
	n, err := w.Write(buf.Bytes())
	if err != nil {
		return int64(n), fmt.Errorf("lure: write model: %w", err)
	}
	return int64(n), nil
}

// ErrBadModel is returned by ReadModel for a file that is not a valid model.
var ErrBadModel = errors.New("lure: not a valid model file")

// ReadModel reads a model written by WriteTo.
func ReadModel(r io.Reader) (*Model, error) {
	b, err := io.ReadAll(io.LimitReader(bufio.NewReader(r), 64<<20))
	if err != nil {
		return nil, fmt.Errorf("lure: read model: %w", err)
	}
	return parseModel(b)
}

func parseModel(b []byte) (*Model, error) {
	bad := func(why string) error { return fmt.Errorf("%w: %s", ErrBadModel, why) }
	if len(b) < len(modelMagic)+8 || string(b[:len(modelMagic)]) != modelMagic {
		return nil, bad("no magic")
	}
	body, sum := b[:len(b)-4], binary.LittleEndian.Uint32(b[len(b)-4:])
	if crc32.ChecksumIEEE(body) != sum {
		return nil, bad("checksum mismatch")
	}
	p := body[len(modelMagic):]
	hl := int(binary.LittleEndian.Uint32(p))
	p = p[4:]
	if hl > len(p) {
		return nil, bad("short header")
	}
	var info ModelInfo
	if err := json.Unmarshal(p[:hl], &info); err != nil {
		return nil, bad("header: " + err.Error())
	}
	p = p[hl:]
	switch {
	case info.Version != modelVersion:
		return nil, bad(fmt.Sprintf("version %d", info.Version))
	case !info.Features.valid():
		return nil, bad(fmt.Sprintf("feature set %q", info.Features))
	case info.Bits < 8 || info.Bits > maxModelBits:
		return nil, bad(fmt.Sprintf("bits %d", info.Bits))
	case info.NonZero < 0 || info.NonZero > 1<<info.Bits:
		return nil, bad("weight count")
	}
	if _, ok := info.Calibration[""]; !ok {
		return nil, bad("no default calibration")
	}
	for _, c := range info.Calibration {
		for _, x := range []float64{info.Bias, c.A, c.B, c.Elevated, c.High} {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, bad("header value not finite")
			}
		}
	}
	if e := info.Employer; e != nil {
		for _, x := range e.Weights {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, bad("employer weight not finite")
			}
		}
		if math.IsNaN(e.Bias) || math.IsInf(e.Bias, 0) {
			return nil, bad("employer bias not finite")
		}
	}
	m := &Model{info: info, w: make([]float32, 1<<info.Bits)}
	idx := 0
	for k := range info.NonZero {
		d, n := binary.Uvarint(p)
		if n <= 0 || len(p) < n+4 {
			return nil, bad("truncated weights")
		}
		if k > 0 && d == 0 || d >= uint64(len(m.w)-idx) {
			return nil, bad("weight index out of range")
		}
		idx += int(d)
		x := math.Float32frombits(binary.LittleEndian.Uint32(p[n:]))
		if x != x || math.IsInf(float64(x), 0) {
			return nil, bad("weight not finite")
		}
		m.w[idx] = x
		p = p[n+4:]
	}
	if len(p) != 0 {
		return nil, bad("trailing bytes")
	}
	return m, nil
}
