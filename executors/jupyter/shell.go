package jupyter

import (
	"encoding/base64"
	"fmt"
)

// shellStatusVar holds a shell block's exit status in the kernel; the
// execute_request reads it back as a user expression.
const shellStatusVar = "_parley_sh_status"

// shellRunner runs a shell in the kernel's environment and working
// directory, streams its merged output through the kernel's stdout and
// returns its exit status (128+N for a signal, as shells report it). On an
// interrupt it kills the shell and re-raises, so a timeout stops it.
const shellRunner = `def _parley_sh(shell, code, stdin):
    import codecs, subprocess, sys, tempfile
    inp = subprocess.DEVNULL
    if stdin:
        inp = tempfile.TemporaryFile()
        inp.write(stdin)
        inp.seek(0)
    p = subprocess.Popen([shell, "-c", code], stdin=inp, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    dec = codecs.getincrementaldecoder("utf-8")("replace")
    try:
        while True:
            chunk = p.stdout.read1(65536)
            if not chunk:
                break
            sys.stdout.write(dec.decode(chunk))
            sys.stdout.flush()
        sys.stdout.write(dec.decode(b"", True))
        rc = p.wait()
        return 128 - rc if rc < 0 else rc
    except BaseException:
        p.kill()
        p.wait()
        raise
    finally:
        p.stdout.close()
        if stdin:
            inp.close()
`

// shellCell is the Python cell that runs code with shell. Code and stdin
// travel base64-encoded so no quoting can break out of the string literal.
func shellCell(shell, code, stdin string) string {
	enc := base64.StdEncoding.EncodeToString
	return fmt.Sprintf("%s%s = _parley_sh(%q, __import__('base64').b64decode('%s').decode(), __import__('base64').b64decode('%s'))\ndel _parley_sh\n",
		shellRunner, shellStatusVar, shell, enc([]byte(code)), enc([]byte(stdin)))
}
