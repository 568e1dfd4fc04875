package lure

import (
	"bytes"
	"fmt"
	"slices"
	"testing"
)

func TestEmployerFields(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       []string
	}{
		{"job board ad", "职位: 普工\n招聘人数: 10人\n公司性质: 私营\n公司规模: 10-49人\n公司介绍: 本公司成立于2006年", []string{"公司性质: 私营", "公司规模: 10-49人", "招聘人数: 10人"}},
		{"repeated field", "公司性质: 私营\n公司性质: 私营", []string{"公司性质: 私营"}},
		{"other fields only", "职位: 普工\n薪资: 3000-5000元/月", nil},
		{"value too long", "公司性质: " + string(bytes.Repeat([]byte("私"), 20)), nil},
		{"empty value", "公司性质: \n招聘人数: 2人", []string{"招聘人数: 2人"}},
		{"key inside a line", "我们的公司规模: 很大", nil},
		{"english ad", "Title: Typist\nCompany size: 10-49", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := employerFields(fold(tc.text).s); !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// employerRows returns Chinese job board ads whose wording says nothing of
// the label and whose employer fields say it all.
func employerRows() []Example {
	duties := []string{"负责日常接待工作", "负责仓库货物整理", "负责门店销售工作", "负责客户电话回访"}
	var rows []Example
	for i := range 160 {
		label := i % 2
		kind, size, need := "国有", "1000人以上", "2人"
		if label == 1 {
			kind, size, need = "个人企业", "10-49人", "若干"
		}
		text := fmt.Sprintf("职位: 店员\n薪资: 4000-6000元/月\n招聘人数: %s\n职位描述: %s，编号%d，工作地点第%d区\n公司性质: %s\n公司规模: %s\n公司介绍: 第%d号公司",
			need, duties[(i/2)%len(duties)], i, i*7, kind, size, i)
		rows = append(rows, Example{ID: fmt.Sprint(i), Lang: "zh", Label: label, Text: text})
	}
	return rows
}

func TestTrainEmployerModel(t *testing.T) {
	cfg := DefaultTrainConfig()
	cfg.Bits = 14
	m, err := Train(employerRows(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	info := m.Info()
	if info.Employer == nil {
		t.Fatal("no employer model")
	}
	if _, ok := info.Calibration[calEmployer]; !ok {
		t.Fatal("no calibration for ads with employer fields")
	}
	if info.Employer.Weights["公司性质: 个人企业"] <= info.Employer.Weights["公司性质: 国有"] {
		t.Errorf("weights %v: want 个人企业 above 国有", info.Employer.Weights)
	}
	s, err := New(WithModel(m))
	if err != nil {
		t.Fatal(err)
	}
	ad := "职位: 店员\n招聘人数: %s\n职位描述: 负责门店销售工作，新店开业\n公司性质: %s\n公司规模: %s"
	lure, _ := s.probability(fmt.Sprintf(ad, "若干", "个人企业", "10-49人"))
	legit, _ := s.probability(fmt.Sprintf(ad, "2人", "国有", "1000人以上"))
	if lure <= legit {
		t.Errorf("probability %.4f for the employer fields of the lures, %.4f for the others; want the first higher", lure, legit)
	}
	// an ad without employer fields keeps its language's calibration
	if _, c := s.probability("负责门店销售工作，新店开业"); c != m.calibration("zh") {
		t.Errorf("calibration %+v, want zh's %+v", c, m.calibration("zh"))
	}
	// the employer model survives the model file
	var b1, b2 bytes.Buffer
	if _, err := m.WriteTo(&b1); err != nil {
		t.Fatal(err)
	}
	m2, err := ReadModel(bytes.NewReader(b1.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m2.WriteTo(&b2); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b1.Bytes(), b2.Bytes()) || m2.Info().Employer == nil {
		t.Error("read and written again, the model changed")
	}
}

func TestTrainWithoutEmployerFields(t *testing.T) {
	rows := employerRows()
	for i := range rows {
		rows[i].Text = fmt.Sprintf("职位: 店员\n职位描述: 编号%d", i)
	}
	cfg := DefaultTrainConfig()
	cfg.Bits = 12
	m, err := Train(rows, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if m.Info().Employer != nil {
		t.Error("an employer model without employer fields")
	}
	if _, ok := m.Info().Calibration[calEmployer]; ok {
		t.Error("an employer calibration without employer fields")
	}
}
