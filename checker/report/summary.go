package report

import (
	"bufio"
	"cmp"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// nodeTableHeader is the summary table's header, in column order. The last
// two say what they count, or a reader compares them: Log Size is the
// entries a node holds after its latest snapshot, Commit Index the highest
// log index it knows committed (so a log of 155 entries can stand at
// commit index 3155).
var nodeTableHeader = [...]string{"Node ID", "State", "Term", "Alive", "Log Size (since snapshot)", "Commit Index"}

// numeric columns are right-aligned.
var nodeTableNumeric = [...]bool{true, false, true, false, true, true}

// WriteNodeTable writes rows as an aligned text table with the columns
// Node ID, State, Term, Alive, Log Size (since snapshot) and Commit Index:
// a header, a rule, then
// one line per row; numeric columns (and their headers) right-aligned, two
// spaces between columns.
func WriteNodeTable(w io.Writer, rows []NodeRow) error {
	cells := make([][len(nodeTableHeader)]string, 0, len(rows)+1)
	cells = append(cells, nodeTableHeader)
	for _, r := range rows {
		alive := "no"
		if r.Alive {
			alive = "yes"
		}
		cells = append(cells, [len(nodeTableHeader)]string{
			strconv.Itoa(r.ID), printable(r.State), strconv.FormatUint(r.Term, 10), alive,
			strconv.FormatUint(r.LogSize, 10), strconv.FormatUint(r.Commit, 10),
		})
	}
	var width [len(nodeTableHeader)]int
	for _, row := range cells {
		for c, s := range row {
			width[c] = max(width[c], utf8.RuneCountInString(s))
		}
	}
	bw := bufio.NewWriter(w)
	var line strings.Builder
	writeRow := func(row [len(nodeTableHeader)]string) {
		line.Reset()
		for c, s := range row {
			if c > 0 {
				line.WriteString("  ")
			}
			pad := strings.Repeat(" ", width[c]-utf8.RuneCountInString(s))
			if nodeTableNumeric[c] {
				line.WriteString(pad)
				line.WriteString(s)
			} else {
				line.WriteString(s)
				line.WriteString(pad)
			}
		}
		bw.WriteString(strings.TrimRight(line.String(), " "))
		bw.WriteByte('\n')
	}
	writeRow(cells[0])
	var rule [len(nodeTableHeader)]string
	for c := range rule {
		rule[c] = strings.Repeat("-", width[c])
	}
	writeRow(rule)
	for _, row := range cells[1:] {
		writeRow(row)
	}
	return bw.Flush()
}

// WriteSummary writes summary.txt: the run's title and seed, the node
// table, then the leader, events processed, simulated and wall time, node
// states, alive count, the verdict with its reasons, the replay command and
// the stats lines.
func WriteSummary(w io.Writer, r *Run) error {
	if err := r.Validate(); err != nil {
		return err
	}
	return writeSummary(w, r)
}

// writeSummary is WriteSummary for a validated run.
func writeSummary(w io.Writer, r *Run) error {
	bw := bufio.NewWriter(w)
	title := r.Title
	if title == "" {
		title = "raftcheck run"
	}
	bw.WriteString(printable(title) + "\n")
	if r.Seed != "" {
		bw.WriteString("Seed: " + printable(r.Seed) + "\n")
	}
	bw.WriteByte('\n')
	if err := WriteNodeTable(bw, r.FinalNodes); err != nil {
		return err
	}
	bw.WriteByte('\n')
	lines := summaryLines(r)
	verdict := r.Verdict
	if verdict == "" {
		verdict = "unknown"
	}
	lines = append(lines, KV{"Verdict", verdict})
	keyWidth := 0
	for _, kv := range lines {
		keyWidth = max(keyWidth, utf8.RuneCountInString(kv.Key)+1)
	}
	for _, kv := range lines {
		writeKV(bw, kv, keyWidth)
	}
	for _, reason := range r.Reasons {
		bw.WriteString("  - " + printable(reason) + "\n")
	}
	if r.Replay != "" {
		writeKV(bw, KV{"Replay", r.Replay}, keyWidth)
	}
	if len(r.Stats) > 0 {
		bw.WriteString("\nStats:\n")
		statWidth := 0
		for _, kv := range r.Stats {
			statWidth = max(statWidth, utf8.RuneCountInString(printable(kv.Key))+1)
		}
		for _, kv := range r.Stats {
			bw.WriteString("  ")
			writeKV(bw, kv, statWidth)
		}
	}
	return bw.Flush()
}

func writeKV(bw *bufio.Writer, kv KV, keyWidth int) {
	key := printable(kv.Key) + ":"
	bw.WriteString(key)
	bw.WriteString(strings.Repeat(" ", max(1, keyWidth+2-utf8.RuneCountInString(key))))
	bw.WriteString(printable(kv.Value))
	bw.WriteByte('\n')
}

// printable replaces control characters (newlines, escapes) so that one
// value cannot break the table's lines or drive a terminal.
func printable(s string) string {
	if strings.IndexFunc(s, unicode.IsControl) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return '?'
		}
		return r
	}, s)
}

// formatEvents renders an event count with digit grouping and, when the
// wall time is known, the rate.
func formatEvents(n uint64, wall time.Duration) string {
	s := groupDigits(n)
	if wall > 0 {
		rate := float64(n) / wall.Seconds()
		s += " (" + strconv.FormatFloat(rate/1e6, 'f', 2, 64) + "M events/s)"
	}
	return s
}

func groupDigits(n uint64) string {
	s := strconv.FormatUint(n, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// formatSeconds renders nanoseconds as seconds with millisecond precision.
func formatSeconds(ns int64) string {
	return strconv.FormatFloat(float64(ns)/1e9, 'f', 3, 64) + " s"
}

// stateOrder lists the roles first, most significant first; other states
// follow alphabetically.
var stateOrder = []string{RoleLeader, RoleCandidate, RolePreCandidate, RoleFollower}

// formatStates counts the final nodes by state: "1 leader, 3 followers, 1
// crashed". The roles are nouns and take a plural; other states ("crashed",
// "down") are adjectives and do not.
func formatStates(rows []NodeRow) string {
	if len(rows) == 0 {
		return "none"
	}
	var names []string
	counts := make(map[string]int)
	for _, r := range rows {
		st := printable(r.State)
		if st == "" {
			st = "unknown"
		}
		if counts[st] == 0 {
			names = append(names, st)
		}
		counts[st]++
	}
	rank := func(s string) int {
		if i := slices.Index(stateOrder, s); i >= 0 {
			return i
		}
		return len(stateOrder)
	}
	slices.SortFunc(names, func(a, b string) int {
		return cmp.Or(cmp.Compare(rank(a), rank(b)), strings.Compare(a, b))
	})
	parts := make([]string, len(names))
	for i, s := range names {
		word := s
		if counts[s] != 1 && slices.Contains(stateOrder, s) {
			word += "s"
		}
		parts[i] = strconv.Itoa(counts[s]) + " " + word
	}
	return strings.Join(parts, ", ")
}
