package export

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-project/vigil/internal/store"
)

// CTDCColumns are the columns of a CTDC export: the 63 variables of CTDC's
// k-anonymised Global Dataset (2020 file), in file order.
var CTDCColumns = []string{
	"yearOfRegistration", "Datasource", "gender", "ageBroad", "majorityStatus", "majorityStatusAtExploit", "majorityEntry", "citizenship",
	"meansOfControlDebtBondage", "meansOfControlTakesEarnings", "meansOfControlRestrictsFinancialAccess", "meansOfControlThreats",
	"meansOfControlPsychologicalAbuse", "meansOfControlPhysicalAbuse", "meansOfControlSexualAbuse", "meansOfControlFalsePromises",
	"meansOfControlPsychoactiveSubstances", "meansOfControlRestrictsMovement", "meansOfControlRestrictsMedicalCare",
	"meansOfControlExcessiveWorkingHours", "meansOfControlUsesChildren", "meansOfControlThreatOfLawEnforcement",
	"meansOfControlWithholdsNecessities", "meansOfControlWithholdsDocuments", "meansOfControlOther", "meansOfControlNotSpecified",
	"meansOfControlConcatenated",
	"isForcedLabour", "isSexualExploit", "isOtherExploit", "isSexAndLabour", "isForcedMarriage", "isForcedMilitary", "isOrganRemoval",
	"isSlaveryAndPractices", "typeOfExploitConcatenated",
	"typeOfLabourAgriculture", "typeOfLabourAquafarming", "typeOfLabourBegging", "typeOfLabourConstruction", "typeOfLabourDomesticWork",
	"typeOfLabourHospitality", "typeOfLabourIllicitActivities", "typeOfLabourManufacturing", "typeOfLabourMiningOrDrilling",
	"typeOfLabourPeddling", "typeOfLabourTransportation", "typeOfLabourOther", "typeOfLabourNotSpecified", "typeOfLabourConcatenated",
	"typeOfSexProstitution", "typeOfSexPornography", "typeOfSexRemoteInteractiveServices", "typeOfSexPrivateSexualServices",
	"typeOfSexConcatenated", "isAbduction", "RecruiterRelationship", "CountryOfExploitation",
	"recruiterRelationIntimatePartner", "recruiterRelationFriend", "recruiterRelationFamily", "recruiterRelationOther", "recruiterRelationUnknown",
}

// CTDCQuasi are the quasi-identifiers of a CTDC export, as column groups:
// every combination of their values occurs at least k times in the file.
var CTDCQuasi = []string{"age", "gender", "citizenship", "CountryOfExploitation", "yearOfRegistration", "exploitation"}

// means maps Vigil's incident types to CTDC means-of-control columns (the
// short labels of meansOfControlConcatenated beside them).
var means = []struct{ incident, column, label string }{
	{"extortion_ransom", "meansOfControlDebtBondage", "Debt bondage"},
	{"extortion_ransom", "meansOfControlThreats", "Threats"},
	{"violence", "meansOfControlPhysicalAbuse", "Physical abuse"},
	{"deceptive_recruitment", "meansOfControlFalsePromises", "False promises"},
	{"confinement", "meansOfControlRestrictsMovement", "Restricts movement"},
	{"passport_confiscation", "meansOfControlWithholdsDocuments", "Withholds documents"},
}

// ctdcRow is one victim: the quasi-identifiers (after generalisation) and
// the rest of the row.
type ctdcRow struct {
	// age is ageBroad (level 0) or majorityStatus (after generalisation).
	age, gender, citizenship, country, year string
	majority                                string
	// exploit is the exploitation type: "" unknown, "labour-illicit"
	// (forced scam work), "labour", "organ", "other".
	exploit    string
	datasource string
	// meansOf are the means-of-control columns set; known says the report
	// gave any incident type at all.
	meansOf []string
	known   bool
}

func (r *ctdcRow) key() string {
	return r.age + "\x00" + r.gender + "\x00" + r.citizenship + "\x00" + r.country + "\x00" + r.year + "\x00" + r.exploit
}

// ctdcTable is a CTDC export after k-anonymisation.
type ctdcTable struct {
	rows []*ctdcRow
	k    int
	// Generalised says which generalisations were applied to every row:
	// "age" (ageBroad removed, majority status kept), "year".
	Generalised []string
	// SuppressedRows were left out; SuppressedCells were emptied in the
	// rows kept (a quasi-identifier of a row in too small a group).
	SuppressedRows, SuppressedCells int
}

// ageBroad writes Vigil's age bands in CTDC's notation. Vigil's bands are
// not CTDC's (0--8, 9--17, 18--20, …): the two agree only on minor/adult,
// which majorityStatus carries exactly.
var ageBroad = map[string]string{"under_18": "0--17", "18_25": "18--25", "26_35": "26--35", "36_50": "36--50", "over_50": "51+"}

var ctdcGender = map[string]string{"female": "Female", "male": "Male", "other": "Transgender/NonConforming", "unknown": "Unknown"}

// planCTDC reads a row per victim of the export's reports, then
// k-anonymises them (anonymise).
func (s *Service) planCTDC(ctx context.Context, e *Export) (*ctdcTable, error) {
	var rows []*ctdcRow
	err := e.walk(ctx, func(page []*store.Report) error {
		for _, r := range page {
			for _, v := range r.Victims {
				rows = append(rows, victimRow(r, v))
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Oldest first, so that the file does not follow the order of intake.
	slices.Reverse(rows)
	return anonymise(rows, e.r.K), nil
}

func victimRow(r *store.Report, v store.Victim) *ctdcRow {
	row := &ctdcRow{age: ageBroad[v.AgeBand], gender: ctdcGender[v.Gender], citizenship: strings.ToUpper(v.Nationality),
		year: strconv.Itoa(time.UnixMicro(r.ReceivedAt).UTC().Year()), known: len(r.IncidentTypes) > 0, datasource: "Hotline"}
	switch {
	case v.AgeBand == "under_18":
		row.majority = "Minor"
	case v.AgeBand != "":
		row.majority = "Adult"
	default:
		row.majority = "Unknown"
	}
	if r.Channel == "walk_in" || r.Channel == "letter" {
		row.datasource = "Case Management"
	}
	// The country of exploitation: the first place named that the
	// gazetteer knows (the compound's), not where the reporter is.
	for _, p := range r.Places {
		if p.Country != "" {
			row.country = p.Country
			break
		}
	}
	has := func(t string) bool { return slices.Contains(r.IncidentTypes, t) }
	switch {
	case has("forced_criminality"):
		row.exploit = "labour-illicit"
	case has("organ_blood_harvesting"):
		row.exploit = "organ"
	case has("confinement") || has("extortion_ransom") || has("passport_confiscation") || has("violence"):
		// Held in a compound and made to work: forced labour, the sector
		// not said.
		row.exploit = "labour"
	case row.known:
		row.exploit = "other"
	}
	for _, m := range means {
		if has(m.incident) && !slices.Contains(row.meansOf, m.column) {
			row.meansOf = append(row.meansOf, m.column)
		}
	}
	return row
}

// anonymise makes rows k-anonymous on the quasi-identifiers: it
// generalises every row (age band to minor/adult, then the year removed)
// while more than a tenth of the rows sit in groups smaller than k, then
// suppresses: a row still in too small a group loses its quasi-identifier
// cells, and if the group of rows with none is itself smaller than k those
// rows are left out.
func anonymise(rows []*ctdcRow, k int) *ctdcTable {
	t := &ctdcTable{k: k}
	small := func() int {
		n := map[string]int{}
		for _, r := range rows {
			n[r.key()]++
		}
		bad := 0
		for _, r := range rows {
			if n[r.key()] < k {
				bad++
			}
		}
		return bad
	}
	steps := []struct {
		name  string
		apply func(*ctdcRow)
	}{
		{"age", func(r *ctdcRow) { r.age = r.majority }},
		{"year", func(r *ctdcRow) { r.year = "" }},
	}
	for _, st := range steps {
		if small()*10 <= len(rows) {
			break
		}
		for _, r := range rows {
			st.apply(r)
		}
		t.Generalised = append(t.Generalised, st.name)
	}
	n := map[string]int{}
	for _, r := range rows {
		n[r.key()]++
	}
	for _, r := range rows {
		if n[r.key()] >= k {
			continue
		}
		for _, c := range []*string{&r.age, &r.gender, &r.citizenship, &r.country, &r.year, &r.exploit} {
			if *c != "" {
				*c = ""
				t.SuppressedCells++
			}
		}
	}
	n = map[string]int{}
	for _, r := range rows {
		n[r.key()]++
	}
	for _, r := range rows {
		if n[r.key()] < k {
			t.SuppressedRows++
			continue
		}
		t.rows = append(t.rows, r)
	}
	return t
}

// cells renders a row in CTDCColumns order. Columns Vigil does not
// collect (sex exploitation, abduction, recruiter relation, majority at
// exploitation) are empty: missing, as CTDC writes it.
func (t *ctdcTable) cells(r *ctdcRow) []string {
	c := make(map[string]string, len(CTDCColumns))
	c["yearOfRegistration"], c["Datasource"], c["gender"], c["citizenship"], c["CountryOfExploitation"] = r.year, r.datasource, r.gender, r.citizenship, r.country
	switch {
	case slices.Contains(t.Generalised, "age"):
		c["majorityStatus"] = r.age
	case r.age != "":
		c["ageBroad"], c["majorityStatus"] = r.age, r.majority
	}
	if r.known {
		var labels []string
		for _, m := range means {
			c[m.column] = "0"
			if slices.Contains(r.meansOf, m.column) {
				c[m.column] = "1"
				labels = append(labels, m.label)
			}
		}
		if len(labels) == 0 {
			c["meansOfControlNotSpecified"], labels = "1", []string{"Not specified"}
		} else {
			c["meansOfControlNotSpecified"] = "0"
		}
		c["meansOfControlConcatenated"] = strings.Join(labels, ";")
	}
	if r.exploit != "" {
		for _, col := range []string{"isForcedLabour", "isSexualExploit", "isOtherExploit", "isSexAndLabour", "isForcedMarriage", "isForcedMilitary", "isOrganRemoval", "isSlaveryAndPractices"} {
			c[col] = "0"
		}
		switch r.exploit {
		case "labour-illicit":
			c["isForcedLabour"], c["typeOfExploitConcatenated"] = "1", "Forced labour"
			c["typeOfLabourIllicitActivities"], c["typeOfLabourNotSpecified"], c["typeOfLabourConcatenated"] = "1", "0", "Illicit activities"
		case "labour":
			c["isForcedLabour"], c["typeOfExploitConcatenated"] = "1", "Forced labour"
			c["typeOfLabourIllicitActivities"], c["typeOfLabourNotSpecified"], c["typeOfLabourConcatenated"] = "0", "1", "Not specified"
		case "organ":
			c["isOtherExploit"], c["isOrganRemoval"], c["typeOfExploitConcatenated"] = "1", "1", "Other"
		case "other":
			c["isOtherExploit"], c["typeOfExploitConcatenated"] = "1", "Other"
		}
	}
	out := make([]string, len(CTDCColumns))
	for i, col := range CTDCColumns {
		out[i] = c[col]
	}
	return out
}

// writeCTDC writes the table as CSV: the header row, then a row per victim
// kept.
func (e *Export) writeCTDC(w io.Writer) error {
	bw := bufio.NewWriter(w)
	cw := csv.NewWriter(bw)
	if err := cw.Write(CTDCColumns); err != nil {
		return fmt.Errorf("export: ctdc: %w", err)
	}
	for _, r := range e.ctdc.rows {
		if err := cw.Write(e.ctdc.cells(r)); err != nil {
			return fmt.Errorf("export: ctdc: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("export: ctdc: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("export: ctdc: %w", err)
	}
	return nil
}
