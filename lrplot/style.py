"""How lrplot's figures draw text: as typed, never as mathtext or LaTeX
(a label like ``$\\foo$`` would otherwise crash matplotlib's parser)."""

PLAIN_TEXT = {"parse_math": False, "usetex": False}
