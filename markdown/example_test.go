package markdown_test

import (
	"fmt"

	"github.com/parley-go/parley/markdown"
)

func ExampleExtract() {
	reply := []byte("First install the dependency:\n\n" +
		"```sh\npip install requests\n```\n\n" +
		"Then save and run this script:\n\n" +
		"- ```python title=\"fetch\"\n" +
		"  # filename: fetch.py\n" +
		"  import requests\n" +
		"  print(requests.get(\"https://example.com\").status_code)\n" +
		"  ```\n\n" +
		"Expected output:\n\n```text\n200\n```\n")

	for _, b := range markdown.Extract(reply) {
		fmt.Printf("%s (tag %q) runnable=%v filename=%q title=%q\n",
			b.Language, b.Tag, b.Runnable, b.Filename, b.Attributes["title"])
		fmt.Print(b.Code)
		fmt.Printf("source: %q...\n", reply[b.Start:b.Start+6])
	}
	// Output:
	// sh (tag "sh") runnable=true filename="" title=""
	// pip install requests
	// source: "```sh\n"...
	// python (tag "python") runnable=true filename="fetch.py" title="fetch"
	// # filename: fetch.py
	// import requests
	// print(requests.get("https://example.com").status_code)
	// source: "```pyt"...
	// text (tag "text") runnable=false filename="" title=""
	// 200
	// source: "```tex"...
}

func ExampleExtractRunnable() {
	reply := []byte("```\n#!/usr/bin/env python3\nprint(6 * 7)\n```\n\n" +
		"```console\n$ python3 answer.py\n42\n```\n")
	for _, b := range markdown.ExtractRunnable(reply) {
		fmt.Printf("%s inferred=%v closed=%v\n", b.Language, b.Inferred, b.Closed)
	}
	// Output:
	// python inferred=true closed=true
}

func ExampleCanonicalLanguage() {
	for _, tag := range []string{"py", "Python3", "shell", "node", "pwsh", "json", "console", "brainfuck"} {
		lang, runnable := markdown.CanonicalLanguage(tag)
		fmt.Printf("%-9s -> %-10q runnable=%v\n", tag, lang, runnable)
	}
	// Output:
	// py        -> "python"   runnable=true
	// Python3   -> "python"   runnable=true
	// shell     -> "sh"       runnable=true
	// node      -> "javascript" runnable=true
	// pwsh      -> "powershell" runnable=true
	// json      -> "json"     runnable=false
	// console   -> "console"  runnable=false
	// brainfuck -> ""         runnable=false
}

// Offsets let a caller edit the reply in place, here to replace a block by a
// note.
func ExampleBlock_offsets() {
	reply := []byte("Run:\n\n```sh\nrm -rf build\n```\n\nthen rebuild.\n")
	b := markdown.Extract(reply)[0]
	edited := string(reply[:b.Start]) + "[code removed]" + string(reply[b.End:])
	fmt.Print(edited)
	// Output:
	// Run:
	//
	// [code removed]
	//
	// then rebuild.
}
