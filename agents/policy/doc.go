// Package policy holds approvers that check code blocks without a human:
// a static checker that flags dangerous patterns (deleting files, network
// access, subprocesses, reading secrets, privilege changes) and an LLM
// reviewer that asks a model whether a block is safe and reads its verdict
// as structured JSON.
//
// Policies sit in front of the human in an agents.Chain, or stand alone for
// unattended runs. The rule they follow is: a policy may deny, but it never
// approves what it did not check, and it approves at all only when it is
// explicitly configured to decide ("policy decides" mode: Static.ApproveClean,
// LLMReviewer.Approve). By default both only pass the block on
// (agents.ActionPass) with their findings as advice, so a chain that ends
// with them and no human or auto-approval skips the block.
package policy
