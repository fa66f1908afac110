package notebook_test

import (
	"fmt"
	"os"

	"github.com/parley-go/parley/agents/notebook"
	"github.com/parley-go/parley/conversation"
)

func ExampleWrite() {
	msgs := []conversation.Message{
		{Name: "user", Content: "What is 2 + 2?", Origin: conversation.OriginInitial},
		{Name: "assistant", Content: "4. TERMINATE", Origin: conversation.OriginLLM},
	}
	nb, err := notebook.FromMessages(msgs, notebook.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(nb.Cells), "cells")
	_ = notebook.Write(os.Stdout, &notebook.Notebook{Cells: nb.Cells[1:], Metadata: map[string]any{}, NBFormat: 4, NBFormatMinor: 5})
	// Output:
	// 2 cells
	// {
	//  "cells": [
	//   {
	//    "cell_type": "markdown",
	//    "id": "cell-2",
	//    "metadata": {
	//     "parley": {
	//      "name": "assistant",
	//      "origin": "llm"
	//     }
	//    },
	//    "source": "**assistant** (llm):\n\n4. TERMINATE"
	//   }
	//  ],
	//  "metadata": {},
	//  "nbformat": 4,
	//  "nbformat_minor": 5
	// }
}
