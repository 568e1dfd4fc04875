package lure_test

import (
	"math"
	"testing"

	"github.com/vigil-project/vigil/internal/lure"
)

func TestAmounts(t *testing.T) {
	tests := []struct {
		text     string
		min, max float64
		currency string
		period   string
		pay      bool
		span     string
	}{
		{"Salary $1,500/month, paid on time", 1500, 1500, "USD", "month", true, "$1,500/month"},
		{"月薪3万，包吃住", 30000, 30000, "CNY", "month", true, "3万"},
		{"Earn 1.5k USD working from home", 1500, 1500, "USD", "", true, "1.5k USD"},
		{"轻松月入过万", 10000, 10000, "CNY", "month", true, "过万"},
		{"Pay: 15,000 baht", 15000, 15000, "THB", "", true, "15,000 baht"},
		{"lương 20 triệu/tháng", 20e6, 20e6, "VND", "month", true, "20 triệu/tháng"},
		{"$500 to $1000 a week", 500, 1000, "USD", "week", true, "$500 to $1000 a week"},
		{"薪资: 8000-16000元/月", 8000, 16000, "CNY", "month", true, "8000-16000元/月"},
		{"月薪1.5万-3万", 15000, 30000, "CNY", "month", true, "1.5万-3万"},
		{"一个月3000U", 3000, 3000, "USDT", "month", true, "3000U"},
		{"月薪一万五", 15000, 15000, "CNY", "month", true, "一万五"},
		{"Salary: 35000-73000", 35000, 73000, "USD", "", true, "35000-73000"},
		{"Gaji 8 juta per bulan", 8e6, 8e6, "IDR", "month", true, "8 juta per bulan"},
		{"Salary RM 6,000/month", 6000, 6000, "MYR", "month", true, "RM 6,000/month"},
		{"registered capital 注册资本: 300 万元", 3e6, 3e6, "CNY", "", false, "300 万元"},
		{"Ｓａｌａｒｙ：＄２，０００／ｍｏｎｔｈ", 2000, 2000, "USD", "month", true, "＄２，０００／ｍｏｎｔｈ"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			as := lure.Amounts(tt.text)
			if len(as) != 1 {
				t.Fatalf("got %d amounts %+v, want 1", len(as), as)
			}
			a := as[0]
			if a.Min != tt.min || a.Max != tt.max || a.Currency != tt.currency || a.Period != tt.period || a.Pay != tt.pay {
				t.Errorf("got %v-%v %s /%s pay=%v, want %v-%v %s /%s pay=%v",
					a.Min, a.Max, a.Currency, a.Period, a.Pay, tt.min, tt.max, tt.currency, tt.period, tt.pay)
			}
			if a.Span.Text != tt.span || tt.text[a.Span.Start:a.Span.End] != a.Span.Text {
				t.Errorf("got span %+v, want %q", a.Span, tt.span)
			}
		})
	}
}

func TestNoAmounts(t *testing.T) {
	for _, text := range []string{
		"Call 012 345 678 tomorrow",
		"We have 35 staff and 120 rooms",
		"Founded in 2012",
		"Tracking code SF1234567890",
		"Ages 18-35 welcome",
		"招聘人数: 10人",
		"#URL_00962c0bdac3ecf40b2931cbb6493290#",
	} {
		if as := lure.Amounts(text); len(as) != 0 {
			t.Errorf("Amounts(%q) = %+v, want none", text, as)
		}
	}
}

func TestMonthlyUSD(t *testing.T) {
	tests := []struct {
		a    lure.Amount
		want float64
	}{
		{lure.Amount{Max: 1500, Currency: "USD", Period: "month"}, 1500},
		{lure.Amount{Max: 30000, Currency: "CNY", Period: "month"}, 4200},
		{lure.Amount{Max: 1000, Currency: "USD", Period: "week"}, 4330},
		{lure.Amount{Max: 72000, Currency: "USD"}, 6000}, // too large for a month: a year
		{lure.Amount{Max: 15000, Currency: "THB"}, 435},
		{lure.Amount{Max: 10, Currency: "USD", Period: "day"}, 220},
	}
	for _, tt := range tests {
		if got := tt.a.MonthlyUSD(); math.Abs(got-tt.want) > 0.01 {
			t.Errorf("%+v.MonthlyUSD() = %v, want %v", tt.a, got, tt.want)
		}
	}
}
