package main

import (
	"compress/gzip"
	"net/http"
	"strings"
)

// gzipHandler compresses h's responses for clients that accept gzip: a
// timeline page of a few megabytes of JSON shrinks about tenfold. Ranges,
// errors and types that are compressed already (images but SVG) pass
// through unchanged.
func gzipHandler(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Accept-Encoding")
		if r.Header.Get("Range") != "" || !acceptsGzip(r.Header.Get("Accept-Encoding")) {
			h.ServeHTTP(w, r)
			return
		}
		gw := &gzipWriter{ResponseWriter: w}
		defer gw.close()
		h.ServeHTTP(gw, r)
	})
}

// acceptsGzip reports whether an Accept-Encoding header allows gzip (and
// does not refuse it with q=0).
func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			q := strings.ReplaceAll(params, " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}

// compressible says whether a response of this Content-Type is worth
// compressing: text, JSON, JavaScript and SVG.
func compressible(contentType string) bool {
	ct := strings.ToLower(contentType)
	return strings.HasPrefix(ct, "text/") || strings.Contains(ct, "json") || strings.Contains(ct, "javascript") || strings.HasPrefix(ct, "image/svg+xml")
}

// gzipWriter decides at the header whether to compress: a 200 of a
// compressible type is, without its Content-Length (the compressed length
// is not known ahead).
type gzipWriter struct {
	http.ResponseWriter
	gz          *gzip.Writer
	wroteHeader bool
}

func (g *gzipWriter) WriteHeader(code int) {
	if g.wroteHeader {
		return
	}
	g.wroteHeader = true
	hdr := g.Header()
	if code == http.StatusOK && hdr.Get("Content-Encoding") == "" && compressible(hdr.Get("Content-Type")) {
		hdr.Del("Content-Length")
		hdr.Set("Content-Encoding", "gzip")
		g.gz = gzip.NewWriter(g.ResponseWriter)
	}
	g.ResponseWriter.WriteHeader(code)
}

func (g *gzipWriter) Write(b []byte) (int, error) {
	if !g.wroteHeader {
		if g.Header().Get("Content-Type") == "" {
			g.Header().Set("Content-Type", http.DetectContentType(b))
		}
		g.WriteHeader(http.StatusOK)
	}
	if g.gz != nil {
		return g.gz.Write(b)
	}
	return g.ResponseWriter.Write(b)
}

// close flushes the compressed stream, if there is one.
func (g *gzipWriter) close() {
	if g.gz != nil {
		g.gz.Close()
	}
}
