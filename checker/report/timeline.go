package report

import (
	"bufio"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
)

// The page's style and script are plain files so they can be read and
// linted as CSS and JavaScript; they are inlined so the page needs no
// network and no neighbouring files (except the plots it shows if present).
var (
	//go:embed assets/timeline.css
	timelineCSS string
	//go:embed assets/timeline.js
	timelineJS string
	//go:embed assets/timeline.html
	timelineBody string
)

// WriteTimeline writes timeline.html: a self-contained page (inline CSS and
// script, no network) with one lane per node coloured by role and term,
// crashed, paused and fail-stopped spans, fault bands, client operation
// bars, message arrows for a chosen window, and hover details. It shows
// latency.svg and rate.svg from its own directory, as WriteAll writes them.
//
// All run data travels as one JSON document inside the page, with <, > and
// & escaped (\u003c ...), and the script puts it on the page with
// textContent only, so no key, value or name can become markup.
func WriteTimeline(w io.Writer, r *Run) error {
	p, err := prepare(r)
	if err != nil {
		return err
	}
	return p.writeTimeline(w)
}

// writeTimeline is WriteTimeline for a prepared run.
func (p *prepared) writeTimeline(w io.Writer) error {
	page, err := buildPage(p)
	if err != nil {
		return err
	}
	data, err := json.Marshal(page) // escapes <, >, &, U+2028 and U+2029
	if err != nil {
		return fmt.Errorf("report: encoding timeline data: %w", err)
	}
	bw := bufio.NewWriter(w)
	bw.WriteString("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n" +
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n" +
		"<link rel=\"icon\" href=\"data:,\">\n<title>raftcheck timeline</title>\n<style>\n")
	bw.WriteString(timelineCSS)
	bw.WriteString("</style>\n</head>\n<body>\n")
	bw.WriteString(timelineBody)
	bw.WriteString("<script type=\"application/json\" id=\"run-data\">")
	bw.Write(data)
	bw.WriteString("</script>\n<script>\n")
	bw.WriteString(timelineJS)
	bw.WriteString("</script>\n</body>\n</html>\n")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("report: writing timeline: %w", err)
	}
	return nil
}
