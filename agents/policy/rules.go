package policy

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/parley-go/parley/executors"
)

// Severity ranks how dangerous a finding is.
type Severity int

// Severities, lowest first. SeverityNone in Static.DenyAt means "never deny".
const (
	SeverityNone Severity = iota
	SeverityLow
	SeverityMedium
	SeverityHigh
)

func (s Severity) String() string {
	switch s {
	case SeverityNone:
		return "none"
	case SeverityLow:
		return "low"
	case SeverityMedium:
		return "medium"
	case SeverityHigh:
		return "high"
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// ParseSeverity reads "low", "medium", "high" or "none".
func ParseSeverity(s string) (Severity, error) {
	for v := SeverityNone; v <= SeverityHigh; v++ {
		if strings.EqualFold(strings.TrimSpace(s), v.String()) {
			return v, nil
		}
	}
	return SeverityNone, fmt.Errorf("policy: unknown severity %q: use none, low, medium or high", s)
}

// Categories of rules.
const (
	CategoryDelete     = "deletes files"
	CategoryNetwork    = "network access"
	CategorySubprocess = "runs other programs"
	CategorySecrets    = "reads secrets"
	CategoryPrivilege  = "changes privileges or permissions"
	CategorySystem     = "affects the whole system"
	CategoryInstall    = "installs packages"
)

// Rule is one pattern the static checker looks for.
type Rule struct {
	// Name identifies the rule in advice and audit logs.
	Name     string
	Category string
	Severity Severity
	// Languages the rule applies to (canonical names, see
	// markdown.CanonicalLanguage); empty means every language.
	Languages []string
	// Pattern is matched against each line of the block.
	Pattern *regexp.Regexp
}

func (r Rule) appliesTo(lang string) bool {
	return len(r.Languages) == 0 || slices.Contains(r.Languages, lang)
}

// Finding is one match of a rule in a block.
type Finding struct {
	Rule     string   `json:"rule"`
	Category string   `json:"category"`
	Severity Severity `json:"severity"`
	// Line is 1-based.
	Line  int    `json:"line"`
	Match string `json:"match"`
}

// String is the finding as advice for a human: "high: deletes files (line 3:
// rm -rf build)".
func (f Finding) String() string {
	return fmt.Sprintf("%s: %s (line %d: %s)", f.Severity, f.Category, f.Line, f.Match)
}

var (
	shells  = []string{"sh", "bash", "zsh", "ksh", "fish"}
	python  = []string{"python"}
	js      = []string{"javascript", "typescript"}
	scripts = []string{"python", "javascript", "typescript", "ruby", "perl"}
)

// DefaultRules returns the rules Static uses when none are given. They are
// deliberately broad: a finding is a reason for a human to look closer, not
// proof of harm. Subprocess rules do not apply to shell code, where every
// command is a program.
func DefaultRules() []Rule {
	re := regexp.MustCompile
	return []Rule{
		// Deleting files.
		{"rm-recursive", CategoryDelete, SeverityHigh, shells, re(`\brm\s+(-[a-zA-Z]*[rRf][a-zA-Z]*\s+)+`)},
		{"rm", CategoryDelete, SeverityMedium, shells, re(`(^|[;&|]\s*|\bsudo\s+)rm\s`)},
		{"find-delete", CategoryDelete, SeverityHigh, shells, re(`\bfind\b.*\s-(delete|exec\s+rm)\b`)},
		{"shred", CategoryDelete, SeverityHigh, nil, re(`\b(shred|wipefs)\b`)},
		{"py-rmtree", CategoryDelete, SeverityHigh, python, re(`\b(shutil\.rmtree|rmtree\()`)},
		{"py-remove", CategoryDelete, SeverityMedium, python, re(`\bos\.(remove|unlink|rmdir|removedirs)\s*\(|\.unlink\s*\(|\.rmdir\s*\(`)},
		{"js-remove", CategoryDelete, SeverityMedium, js, re(`\bfs\.(rm|rmSync|unlink|unlinkSync|rmdir|rmdirSync)\s*\(`)},
		{"overwrite", CategoryDelete, SeverityLow, shells, re(`(^|[;&|]\s*)>\s*\S`)},

		// Network.
		{"net-tools", CategoryNetwork, SeverityMedium, shells, re(`\b(curl|wget|nc|ncat|netcat|ssh|scp|sftp|rsync|ftp|telnet|socat)\s`)},
		{"dev-tcp", CategoryNetwork, SeverityMedium, shells, re(`/dev/(tcp|udp)/`)},
		{"py-net", CategoryNetwork, SeverityMedium, python, re(`\bimport\s+(socket|requests|urllib3?|httpx|aiohttp|http\.client|ftplib|smtplib|paramiko)\b|\bfrom\s+(socket|requests|urllib3?|httpx|aiohttp|http\.client|ftplib|smtplib|paramiko)(\.\w+)*\s+import\b|\burlopen\s*\(`)},
		{"js-net", CategoryNetwork, SeverityMedium, js, re(`\bfetch\s*\(|require\(\s*['"](https?|net|dgram|axios)['"]\s*\)|from\s+['"](https?|net|dgram|axios)['"]`)},
		{"url", CategoryNetwork, SeverityLow, nil, re(`\b(https?|ftp)://[^\s'"]+`)},

		// Subprocesses.
		{"py-subprocess", CategorySubprocess, SeverityMedium, python, re(`\bimport\s+subprocess\b|\bfrom\s+subprocess\s+import\b|\bsubprocess\.|\bos\.(system|popen|exec\w*|spawn\w*|fork)\s*\(|\bpty\.spawn\b`)},
		{"dynamic-code", CategorySubprocess, SeverityMedium, scripts, re(`(^|[^.\w])(eval|exec)\s*\(|\b__import__\s*\(|\bcompile\s*\(`)},
		{"js-child-process", CategorySubprocess, SeverityMedium, js, re(`child_process|\bexecSync\s*\(|\bspawnSync?\s*\(`)},
		{"shell-eval", CategorySubprocess, SeverityMedium, shells, re(`(^|[;&|]\s*)(eval|exec)\s|\|\s*(sh|bash|zsh)\b`)},
		{"background", CategorySubprocess, SeverityLow, shells, re(`\b(nohup|disown|setsid)\b|&\s*$`)},

		// Secrets.
		{"ssh-keys", CategorySecrets, SeverityHigh, nil, re(`\.ssh/|\bid_(rsa|ed25519|ecdsa|dsa)\b|authorized_keys`)},
		{"credential-files", CategorySecrets, SeverityHigh, nil, re(`\.aws/credentials|\.netrc\b|\.docker/config\.json|\.kube/config|\.git-credentials|\.pgpass|/etc/shadow|\.gnupg\b`)},
		{"env-dump", CategorySecrets, SeverityMedium, shells, re(`(^|[;&|]\s*)(env|printenv|set|export\s+-p)\s*($|[|>;&])|/proc/\S*environ`)},
		{"py-env", CategorySecrets, SeverityMedium, python, re(`\bos\.environ\b|\bos\.getenv\s*\(|/proc/\S*environ`)},
		{"js-env", CategorySecrets, SeverityMedium, js, re(`\bprocess\.env\b`)},
		{"secret-names", CategorySecrets, SeverityMedium, nil, re(`(?i)(api[_-]?key|secret|passw(or)?d|access[_-]?token|auth[_-]?token)`)},

		// Privileges.
		{"sudo", CategoryPrivilege, SeverityHigh, nil, re(`(^|[;&|'"]\s*)(sudo|su|doas|pkexec)\s`)},
		{"chmod-chown", CategoryPrivilege, SeverityMedium, nil, re(`\b(chmod|chown|chgrp|setfacl)\b|\bos\.(chmod|chown)\s*\(`)},
		{"setuid", CategoryPrivilege, SeverityHigh, nil, re(`\bsetuid\b|\bchmod\s+[ugo]*\+s\b|\bchmod\s+[0-7]?[4-7][0-7]{3}\b`)},

		// Whole system.
		{"power", CategorySystem, SeverityHigh, nil, re(`\b(shutdown|reboot|poweroff|halt|init\s+[06])\b`)},
		{"disks", CategorySystem, SeverityHigh, nil, re(`\b(mkfs(\.\w+)?|fdisk|parted|mount|umount)\b|\bdd\s+.*\bof=|>\s*/dev/(sd|nvme|hd|vd)`)},
		{"fork-bomb", CategorySystem, SeverityHigh, shells, re(`:\(\)\s*\{.*:\s*\|\s*:`)},
		{"kill", CategorySystem, SeverityMedium, nil, re(`\b(kill|pkill|killall)\s|\bos\.kill\s*\(`)},
		{"persistence", CategorySystem, SeverityHigh, nil, re(`\b(crontab|systemctl|service|launchctl)\b|\.(bashrc|profile|zshrc|bash_profile)\b|/etc/(cron|systemd|init\.d)`)},
		{"system-paths", CategorySystem, SeverityMedium, nil, re(`(^|[\s'"=(])/(etc|usr|bin|sbin|boot|lib|var|root)(/|\b)`)},

		// Installing software.
		{"install", CategoryInstall, SeverityMedium, nil, re(`\b(pip3?|npm|yarn|pnpm|gem|cargo|apt(-get)?|yum|dnf|apk|brew)\s+(install|add)\b|\bgo\s+(install|get)\b`)},
	}
}

// Check returns the findings of rules in b, in line order. A rule reports
// at most one finding per line.
func Check(b executors.CodeBlock, rules []Rule) []Finding {
	var out []Finding
	for i, line := range strings.Split(b.Code, "\n") {
		if strings.TrimSpace(line) == "" || (i == 0 && strings.HasPrefix(line, "#!")) {
			// A shebang names an interpreter; it does nothing by itself.
			continue
		}
		for _, r := range rules {
			if r.Pattern == nil || !r.appliesTo(b.Language) {
				continue
			}
			if m := r.Pattern.FindString(line); m != "" {
				out = append(out, Finding{Rule: r.Name, Category: r.Category, Severity: r.Severity, Line: i + 1, Match: clip(strings.TrimSpace(line), 80)})
			}
		}
	}
	return out
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// Highest returns the highest severity among fs, SeverityNone for none.
func Highest(fs []Finding) Severity {
	h := SeverityNone
	for _, f := range fs {
		h = max(h, f.Severity)
	}
	return h
}
