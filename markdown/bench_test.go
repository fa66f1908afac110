package markdown

import (
	"fmt"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
)

// llmReply is a realistic reply of a code-writing assistant: prose, lists,
// inline code, emphasis, links, a block quote and several fenced blocks,
// about 5 KB.
func llmReply() []byte {
	var b strings.Builder
	b.WriteString("Sure! Let's solve this step by step. I'll **first** check the environment, " +
		"then write a script that downloads the data, computes the statistics, and plots them.\n\n" +
		"## Plan\n\n" +
		"1. Install the dependencies with `pip`.\n" +
		"2. Write `analysis.py`, which:\n" +
		"   - downloads the CSV from [the data portal](https://example.com/data.csv);\n" +
		"   - computes the *mean*, *median* and standard deviation per column;\n" +
		"   - saves a histogram to `hist.png`.\n" +
		"3. Run it and check the output.\n\n" +
		"First, install what we need:\n\n" +
		"```sh\npip install pandas matplotlib requests\n```\n\n" +
		"Now the script. Save it and run it:\n\n" +
		"```python\n# filename: analysis.py\n")
	for i := range 40 {
		fmt.Fprintf(&b, "def step_%d(df):\n    \"\"\"Compute statistic %d of the frame.\"\"\"\n    return df.iloc[:, %d %% len(df.columns)].describe()\n\n", i, i, i)
	}
	b.WriteString("if __name__ == \"__main__\":\n    main()\n```\n\n" +
		"> **Note:** if the download fails, check your proxy settings; the script\n" +
		"> retries three times before giving up.\n\n" +
		"When you run it you should see something like:\n\n" +
		"```text\ncount    100.000000\nmean      50.500000\nstd       29.011492\n```\n\n" +
		"- If `matplotlib` complains about the backend, run:\n\n" +
		"  ```bash\n  export MPLBACKEND=Agg\n  python analysis.py\n  ```\n\n" +
		"The configuration, for reference:\n\n" +
		"~~~json\n{\"retries\": 3, \"timeout\": 30, \"output\": \"hist.png\"}\n~~~\n\n" +
		"Let me know the output and I'll continue. Once everything works, reply TERMINATE.\n")
	return []byte(b.String())
}

func TestLLMReplyFixture(t *testing.T) {
	src := llmReply()
	if len(src) < 4<<10 || len(src) > 8<<10 {
		t.Fatalf("benchmark reply is %d bytes, want about 5 KB", len(src))
	}
	blocks := Extract(src)
	checkInvariants(t, src, blocks)
	var langs []string
	for _, b := range blocks {
		langs = append(langs, b.Language)
	}
	if got := strings.Join(langs, ","); got != "sh,python,text,bash,json" {
		t.Fatalf("languages %s", got)
	}
}

// BenchmarkExtract measures Extract on a 5 KB reply. Its sub-benchmark
// "goldmark" is the baseline: goldmark's default parser (blocks and inlines)
// walking the same reply for fenced blocks.
func BenchmarkExtract(b *testing.B) {
	src := llmReply()
	b.Run("extract", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		b.ReportAllocs()
		for b.Loop() {
			if len(Extract(src)) != 5 {
				b.Fatal("wrong block count")
			}
		}
	})
	b.Run("goldmark", func(b *testing.B) {
		p := goldmark.DefaultParser()
		b.SetBytes(int64(len(src)))
		b.ReportAllocs()
		for b.Loop() {
			n := 0
			doc := p.Parse(text.NewReader(src))
			_ = ast.Walk(doc, func(node ast.Node, entering bool) (ast.WalkStatus, error) {
				if entering && node.Kind() == ast.KindFencedCodeBlock {
					n++
				}
				return ast.WalkContinue, nil
			})
			if n != 5 {
				b.Fatal("wrong block count")
			}
		}
	})
}

// BenchmarkExtractHostile shows that inputs that make parsers quadratic cost
// Extract time linear in their size: compare each shape's 100KB and 400KB
// runs (a ratio near 4 is linear).
func BenchmarkExtractHostile(b *testing.B) {
	shapes := map[string]string{
		"linkrefs":   "[a]: /u\n",
		"nested":     strings.Repeat("> ", 500) + "x\n",
		"fences":     "```\n",
		"setext":     "a\n===\n",
		"quote-lazy": "> a\nb\n",
	}
	for name, unit := range shapes {
		for _, size := range []int{100 << 10, 400 << 10} {
			src := []byte(strings.Repeat(unit, size/len(unit)))
			b.Run(fmt.Sprintf("%s/%dKB", name, size>>10), func(b *testing.B) {
				b.SetBytes(int64(len(src)))
				for b.Loop() {
					Extract(src)
				}
			})
		}
	}
}
