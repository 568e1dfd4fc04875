package lure_test

import (
	"context"
	"slices"
	"testing"

	"github.com/vigil-project/vigil/internal/lure"
)

func codesOf(r lure.Result) []string {
	var cs []string
	for _, in := range r.Indicators {
		cs = append(cs, in.Code)
	}
	return cs
}

func TestIndicators(t *testing.T) {
	s := newScorer(t)
	tests := []struct {
		name string
		text string
		want []string
		not  []string
	}{
		{"high pay en", "Hiring customer service staff in Cambodia, salary $1,500/month, no experience", []string{lure.CodeHighPay, lure.CodeLureRole, lure.CodeNoExperience, lure.CodeAbroad}, nil},
		{"high pay zh", "西港招聘客服，月薪3万，无需经验", []string{lure.CodeHighPay, lure.CodeCompoundArea, lure.CodeLureRole, lure.CodeNoExperience}, nil},
		{"ordinary pay", "Hiring a receptionist in Phnom Penh, salary $300/month, 2 years of experience", nil, []string{lure.CodeHighPay}},
		{"engineer pay is not high", "Senior engineer, salary $9,000/month, 10 years of experience required", nil, []string{lure.CodeHighPay}},
		{"travel en", "Free air ticket and visa provided by the company", []string{lure.CodeTravelPaid}, nil},
		{"travel phrased", "We pay for the flight, and the visa is arranged for you", []string{lure.CodeTravelPaid}, nil},
		{"travel zh", "包吃包住，报销机票", []string{lure.CodeTravelPaid, lure.CodeBoardPaid}, nil},
		{"travel th", "ฟรีตั๋วเครื่องบิน มีที่พักให้", []string{lure.CodeTravelPaid, lure.CodeBoardPaid}, nil},
		{"travel vi", "Miễn phí vé máy bay, bao ăn ở", []string{lure.CodeTravelPaid, lure.CodeBoardPaid}, nil},
		{"travel km", "សំបុត្រយន្តហោះឥតគិតថ្លៃ និងស្នាក់នៅឥតគិតថ្លៃ", []string{lure.CodeTravelPaid, lure.CodeBoardPaid}, nil},
		{"board en", "Free room & food for all staff", []string{lure.CodeBoardPaid}, nil},
		{"tourist visa en", "Come on a tourist visa, no work permit needed", []string{lure.CodeTouristVisa}, nil},
		{"tourist visa zh", "持旅游签入境即可，落地签", []string{lure.CodeTouristVisa}, nil},
		{"tourist visa id", "Berangkat dengan visa turis", []string{lure.CodeTouristVisa}, nil},
		{"compound en", "Office in KK Park, Myawaddy, near Mae Sot", []string{lure.CodeCompoundArea}, nil},
		{"compound zh", "工作地点：妙瓦底、巴域、波贝", []string{lure.CodeCompoundArea}, nil},
		{"compound th", "ทำงานที่ปอยเปต", []string{lure.CodeCompoundArea}, nil},
		{"compound km", "ធ្វើការនៅក្រុងព្រះសីហនុ", []string{lure.CodeCompoundArea}, nil},
		{"old street is not laukkai", "面试在罗湖区老街", nil, []string{lure.CodeCompoundArea}},
		{"lure role plural", "We need translators and typists", []string{lure.CodeLureRole}, nil},
		{"lure role th", "รับสมัครแอดมินออนไลน์", []string{lure.CodeLureRole}, nil},
		{"lure role vi", "Tuyển nhân viên chăm sóc khách hàng", []string{lure.CodeLureRole}, nil},
		{"messenger en", "Contact us on Telegram @hr_team", []string{lure.CodeMessenger}, nil},
		{"messenger zh slang", "有意者加飞机", []string{lure.CodeMessenger}, nil},
		{"tg is a word", "Mortgage advisor wanted", nil, []string{lure.CodeMessenger}},
		{"urgency en", "Urgent hiring, start immediately, no interview", []string{lure.CodeUrgency}, nil},
		{"urgency zh", "急招，日结，当天入职", []string{lure.CodeUrgency}, nil},
		{"fee en", "A registration fee of $50 is required before training", []string{lure.CodeUpfrontFee}, nil},
		{"fee zh", "入职需交押金500元", []string{lure.CodeUpfrontFee}, nil},
		{"fee negated zh", "本公司不收取任何介绍费以及押金", nil, []string{lure.CodeUpfrontFee}},
		{"fee negated en", "No deposit or registration fee is charged to workers", nil, []string{lure.CodeUpfrontFee}},
		{"passport en", "Send your passport copy on WhatsApp", []string{lure.CodePassport}, nil},
		{"passport zh", "请把护照复印件发给人事", []string{lure.CodePassport}, nil},
		{"passport holders is not a request", "Canada/US passport holders only", nil, []string{lure.CodePassport}},
		{"age en", "Requirements: aged 18-35, basic English", []string{lure.CodeAgeLimit}, nil},
		{"age after", "Applicants 20-30 years old", []string{lure.CodeAgeLimit}, nil},
		{"age zh", "年龄18-35岁", []string{lure.CodeAgeLimit}, nil},
		{"age th", "อายุ 18-35 ปี", []string{lure.CodeAgeLimit}, nil},
		{"experience is not age", "3 years of experience, age is not important", nil, []string{lure.CodeAgeLimit}},
		{"no company", "Hiring now! Salary $2000 per month, customer service job, apply now", []string{lure.CodeNoCompany}, nil},
		{"company named", "Hiring now at ABC Co., Ltd. Salary $2000 per month, customer service job, apply now", nil, []string{lure.CodeNoCompany}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := s.Score(context.Background(), tt.text, "en")
			if err != nil {
				t.Fatal(err)
			}
			got := codesOf(r)
			for _, c := range tt.want {
				if !slices.Contains(got, c) {
					t.Errorf("got %v, want %s among them", got, c)
				}
			}
			for _, c := range tt.not {
				if slices.Contains(got, c) {
					t.Errorf("got %v, want no %s", got, c)
				}
			}
			for _, in := range r.Indicators {
				for _, sp := range in.Evidence {
					if sp.Start < 0 || sp.End > len(tt.text) || sp.Start > sp.End || tt.text[sp.Start:sp.End] != sp.Text {
						t.Errorf("%s: bad evidence span %+v", in.Code, sp)
					}
				}
			}
		})
	}
}

func TestIdentifiers(t *testing.T) {
	s := newScorer(t)
	tests := []struct {
		text  string
		kind  string
		value string
	}{
		{"Apply: t.me/myw_jobs", lure.KindTelegram, "myw_jobs"},
		{"https://t.me/Kh_Sales_HR now", lure.KindTelegram, "kh_sales_hr"},
		{"Chat: wa.me/85512345678", lure.KindWhatsApp, "+85512345678"},
		{"Telegram @hr_linda_kh", lure.KindTelegram, "hr_linda_kh"},
		{"Follow @some_page for news", lure.KindHandle, "some_page"},
		{"Email hr@acme-build.com.kh", lure.KindEmail, "hr@acme-build.com.kh"},
		{"WhatsApp +855 97 321 4455", lure.KindWhatsApp, "+855973214455"},
		{"Call 012 345 678", lure.KindPhone, "012345678"},
		{"联系微信：mwd_zp2023", lure.KindWeChat, "mwd_zp2023"},
		{"LINE ID: tyjob88", lure.KindLINE, "tyjob88"},
		{"手机 13812345678", lure.KindPhone, "13812345678"},
		{"Apply at https://www.Acme.com.kh/jobs.", lure.KindURL, "www.acme.com.kh/jobs"},
		{"see www.jobs.example.", lure.KindURL, "www.jobs.example"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			r, err := s.Score(context.Background(), tt.text, "en")
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range r.Identifiers {
				if id.Kind == tt.kind && id.Value == tt.value {
					if tt.text[id.Span.Start:id.Span.End] != id.Span.Text {
						t.Errorf("bad span %+v", id.Span)
					}
					return
				}
			}
			t.Errorf("got %+v, want %s %q", r.Identifiers, tt.kind, tt.value)
		})
	}
	// money is not a phone number
	r, _ := s.Score(context.Background(), "薪资: 8000-16000元/月", "en")
	if len(r.Identifiers) != 0 {
		t.Errorf("got identifiers %+v in a salary", r.Identifiers)
	}
}
