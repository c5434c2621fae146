"""Reference PyTorch implementation of the Seq2Seq paper module (Sources/Seq2Seq).

Two variants selected by `attention`:
  * Sutskever et al. 2014: multi-layer LSTM encoder, its final (h, c) starts a multi-layer LSTM
    decoder; each source sentence is reversed within its own length, so the encoder's last real
    step reads the first word.
  * Bahdanau et al. 2014 (with LSTMs): bidirectional multi-layer LSTM encoder; decoder LSTMCell
    whose input is [embedding(y_{i-1}); c_i], c_i = sum_j alpha_ij h_j with
    e_ij = v^T tanh(W s_{i-1} + U h_j) (padding masked); s_0 = tanh(bridge(<-h_1)), cell 0;
    logits from [s_i; c_i; embedding(y_{i-1})].
The encoder reads each sentence on its own (pack_padded_sequence): padding never enters a state,
so a translation does not depend on its batch-mates.
Ids: <pad>=0 <sos>=1 <eos>=2 <unk>=3. Parameter names are the Swift module's state-dict names.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

PAD, SOS, EOS = 0, 1, 2
MASK_VALUE = -1e9


def source_lengths(src):
    """Real tokens of each right-padded row (at least 1: an empty row is read as one padding token)."""
    return (src != PAD).sum(1).clamp(min=1)


def reverse_source(src):
    """[B, S] right-padded -> each row's tokens reversed within its length, still right-padded."""
    out = src.clone()
    for b, n in enumerate(source_lengths(src).tolist()):
        out[b, :n] = src[b, :n].flip(0)
    return out


class Seq2Seq(nn.Module):
    def __init__(self, src_vocab, tgt_vocab, embed, hidden, num_layers=1, attention=False,
                 reverse_source=True, init_range=0.08):
        super().__init__()
        self.attention, self.reverse, self.hidden, self.num_layers = attention, reverse_source, hidden, num_layers
        self.src_embed = nn.Embedding(src_vocab, embed, padding_idx=PAD)
        self.tgt_embed = nn.Embedding(tgt_vocab, embed, padding_idx=PAD)
        self.encoder = nn.LSTM(embed, hidden, num_layers, batch_first=True, bidirectional=attention)
        if attention:
            self.bridge = nn.Linear(hidden, hidden)
            self.attn_w = nn.Linear(hidden, hidden, bias=False)
            self.attn_u = nn.Linear(2 * hidden, hidden)
            self.attn_v = nn.Linear(hidden, 1, bias=False)
            self.decoder = nn.LSTMCell(embed + 2 * hidden, hidden)
            self.out = nn.Linear(hidden + 2 * hidden + embed, tgt_vocab)
        else:
            self.decoder = nn.LSTM(embed, hidden, num_layers, batch_first=True)
            self.out = nn.Linear(hidden, tgt_vocab)
        if init_range is not None:
            # Sutskever: every parameter uniform(-0.08, 0.08); the padding rows stay zero.
            with torch.no_grad():
                for p in self.parameters():
                    p.uniform_(-init_range, init_range)
                self.src_embed.weight[PAD].zero_()
                self.tgt_embed.weight[PAD].zero_()

    # encoder state: (memory [B,S,2H] or None, mask bias [B,S] or None, decoder state)
    def encode(self, src):
        if self.reverse:
            src = reverse_source(src)
        packed = nn.utils.rnn.pack_padded_sequence(self.src_embed(src), source_lengths(src), batch_first=True,
                                                   enforce_sorted=False)
        out, (h, c) = self.encoder(packed)
        out = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=src.shape[1])[0]
        if not self.attention:
            return None, None, (h, c)
        mask = torch.where(src == PAD, torch.tensor(MASK_VALUE), torch.tensor(0.0))
        s0 = torch.tanh(self.bridge(h[-1]))  # last layer, backward direction: <-h_1
        return out, mask, (s0, torch.zeros_like(s0))

    def attend(self, keys, memory, mask, s):
        e = self.attn_v(torch.tanh(keys + self.attn_w(s).unsqueeze(1))).squeeze(2) + mask  # [B,S]
        alpha = torch.softmax(e, dim=1)
        context = torch.bmm(alpha.unsqueeze(1), memory).squeeze(1)  # [B,2H]
        return context, alpha

    def forward(self, src, tgt):
        """Teacher forcing: src [B,S], tgt [B,T] (starting with <sos>) -> logits [B,T,V]."""
        memory, mask, state = self.encode(src)
        emb = self.tgt_embed(tgt)
        if not self.attention:
            out, _ = self.decoder(emb, state)
            return self.out(out)
        keys = self.attn_u(memory)
        s, c = state
        logits = []
        for t in range(tgt.shape[1]):
            context, _ = self.attend(keys, memory, mask, s)
            s, c = self.decoder(torch.cat([emb[:, t], context], 1), (s, c))
            logits.append(self.out(torch.cat([s, context, emb[:, t]], 1)))
        return torch.stack(logits, 1)

    def step(self, enc, keys, tokens, state):
        """One decoding step for tokens [B] -> (log-probs [B,V], new state)."""
        memory, mask, _ = enc
        emb = self.tgt_embed(tokens)
        if not self.attention:
            out, state = self.decoder(emb.unsqueeze(1), state)
            return F.log_softmax(self.out(out[:, 0]), dim=1), state
        s, c = state
        context, _ = self.attend(keys, memory, mask, s)
        s, c = self.decoder(torch.cat([emb, context], 1), (s, c))
        return F.log_softmax(self.out(torch.cat([s, context, emb], 1)), dim=1), (s, c)

    @torch.no_grad()
    def beam_search(self, src, beam_width, max_len, alpha=0.0):
        """One sentence src [1,S] -> best token list (without <sos>, ending with <eos> if produced).
        Score = log p / ((5 + len) / 6) ** alpha (GNMT length normalisation; alpha 0 = raw log p)."""
        enc = self.encode(src)
        memory, mask, state = enc
        keys = self.attn_u(memory) if self.attention else None
        alive = [([], 0.0)]
        finished = []
        states = state
        for t in range(max_len):
            n = len(alive)
            tokens = torch.tensor([h[-1] if h else SOS for h, _ in alive])
            e = (memory.expand(n, -1, -1), mask.expand(n, -1), None) if self.attention else enc
            k = keys.expand(n, -1, -1) if self.attention else None
            logp, states = self.step(e, k, tokens, states)
            V = logp.shape[1]
            scores = (torch.tensor([s for _, s in alive], dtype=torch.float64).unsqueeze(1) + logp.double()).flatten()
            # Top beam_width candidates by score, ties to the lower flat index.
            order = sorted(range(scores.numel()), key=lambda i: (-scores[i].item(), i))[:beam_width]
            new_alive, rows = [], []
            for i in order:
                b, tok = divmod(i, V)
                hyp = alive[b][0] + [tok]
                if tok == EOS:
                    finished.append((hyp, scores[i].item()))
                else:
                    new_alive.append((hyp, scores[i].item()))
                    rows.append(b)
            if not new_alive or len(finished) >= beam_width:
                alive = []
                break
            alive = new_alive
            idx = torch.tensor(rows)
            states = tuple(x[:, idx] for x in states) if not self.attention else tuple(x[idx] for x in states)
        finished += alive
        best = max(finished, key=lambda h: (h[1] / (((5 + len(h[0])) / 6) ** alpha), -finished.index(h)))
        return best[0]
