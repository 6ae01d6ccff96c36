package sim

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The simulation path must be deterministic: this test reads its source and
// fails on anything that reads the wall clock, starts a goroutine or draws
// from math/rand's global generator.

// simulationPath lists the packages (with their subpackages) that run inside
// the simulator.
var simulationPath = []string{"../sim", "../raft", "../kvstore", "../clients", "../nemesis", "../internal/harness"}

// afterSimulation lists the files of those packages that run only once the
// simulation has ended: the harness's checking phase (which times itself and
// runs the linearizability search beside the cheap checks) and its report
// data (which records the wall time).
var afterSimulation = map[string]bool{
	filepath.Join("..", "internal", "harness", "check.go"):  true,
	filepath.Join("..", "internal", "harness", "report.go"): true,
}

// wallClock lists the time functions that read or wait on the wall clock.
var wallClock = map[string]bool{
	"Now": true, "Since": true, "Until": true, "Sleep": true, "After": true,
	"AfterFunc": true, "Tick": true, "NewTimer": true, "NewTicker": true,
}

// randAllowed lists what may be used from math/rand and math/rand/v2: types
// and constructors of explicitly seeded generators. Everything else there is
// (or uses) the global generator.
var randAllowed = map[string]bool{
	"Rand": true, "Source": true, "Source64": true, "PCG": true, "ChaCha8": true, "Zipf": true,
	"New": true, "NewSource": true, "NewPCG": true, "NewChaCha8": true, "NewZipf": true,
}

// scanSource returns "file:line: problem" for every violation in one file.
func scanSource(fset *token.FileSet, filename string, src []byte) ([]string, error) {
	f, err := parser.ParseFile(fset, filename, src, 0)
	if err != nil {
		return nil, err
	}
	var found []string
	report := func(pos token.Pos, format string, args ...any) {
		p := fset.Position(pos)
		found = append(found, fmt.Sprintf("%s:%d: %s", p.Filename, p.Line, fmt.Sprintf(format, args...)))
	}
	imports := map[string]string{} // local name → "time" | "rand"
	for _, imp := range f.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		var pkg, name string
		switch path {
		case "time":
			pkg, name = "time", "time"
		case "math/rand", "math/rand/v2":
			pkg, name = "rand", "rand"
		default:
			continue
		}
		if imp.Name != nil {
			name = imp.Name.Name
		}
		switch name {
		case "_":
			continue
		case ".":
			report(imp.Pos(), "dot import of %s hides which functions are used", path)
			continue
		}
		imports[name] = pkg
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.GoStmt:
			report(n.Pos(), "go statement: the simulation is single-threaded")
		case *ast.SelectorExpr:
			id, ok := n.X.(*ast.Ident)
			if !ok || id.Obj != nil { // Obj != nil: a local variable shadows the import
				return true
			}
			switch imports[id.Name] {
			case "time":
				if wallClock[n.Sel.Name] {
					report(n.Pos(), "time.%s reads the wall clock; use virtual time", n.Sel.Name)
				}
			case "rand":
				if !randAllowed[n.Sel.Name] {
					report(n.Pos(), "rand.%s uses the global generator; draw from an injected *rand.Rand", n.Sel.Name)
				}
			}
		}
		return true
	})
	return found, nil
}

// scanTree scans every non-test Go file under dir, skipping testdata.
func scanTree(dir string) ([]string, int, error) {
	var found []string
	files := 0
	fset := token.NewFileSet()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") && path != dir {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || afterSimulation[path] {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		got, err := scanSource(fset, path, src)
		if err != nil {
			return err
		}
		found = append(found, got...)
		return nil
	})
	return found, files, err
}

func TestDeterminismScanOfTheSimulationPath(t *testing.T) {
	total := 0
	for _, dir := range simulationPath {
		found, files, err := scanTree(dir)
		require.NoError(t, err, dir)
		total += files
		for _, f := range found {
			t.Error(f)
		}
	}
	assert.Greater(t, total, 10, "the scan must actually read the packages")
}

func TestDeterminismScannerCatchesPlantedViolations(t *testing.T) {
	const bad = `package bad

import (
	"math/rand"
	r2 "math/rand/v2"
	"time"
	clock "time"
)

func f(seeded *r2.Rand) {
	_ = time.Now()
	time.Sleep(time.Second)
	go f(nil)
	_ = rand.Intn(3)
	_ = r2.IntN(3)
	_ = clock.Since(time.Time{})
	g := time.After
	_ = g
	_ = r2.New(r2.NewPCG(1, 2)).IntN(3)
	_ = seeded.Float64()
	_ = rand.New(rand.NewSource(1))
	var d time.Duration = 5
	_ = d
	t := time.NewTicker(d)
	_ = t
	r2.Shuffle(2, func(i, j int) {})
}

func shadow() {
	time := struct{ Now func() int }{}
	_ = time.Now()
}
`
	found, err := scanSource(token.NewFileSet(), "bad.go", []byte(bad))
	require.NoError(t, err)
	var lines []string
	for _, f := range found {
		lines = append(lines, f[:strings.Index(f, ": ")])
	}
	assert.Equal(t, []string{
		"bad.go:11", // time.Now
		"bad.go:12", // time.Sleep
		"bad.go:13", // go statement
		"bad.go:14", // rand.Intn
		"bad.go:15", // r2.IntN
		"bad.go:16", // clock.Since
		"bad.go:17", // time.After as a value
		"bad.go:24", // time.NewTicker
		"bad.go:26", // r2.Shuffle
	}, lines, "%s", strings.Join(found, "\n"))

	found, err = scanSource(token.NewFileSet(), "dot.go", []byte("package p\nimport . \"math/rand/v2\"\nvar x = IntN(3)\n"))
	require.NoError(t, err)
	assert.Equal(t, []string{"dot.go:2: dot import of math/rand/v2 hides which functions are used"}, found)

	_, err = scanSource(token.NewFileSet(), "broken.go", []byte("package p\nfunc {"))
	assert.Error(t, err, "unparsable source is an error, not a pass")
}
