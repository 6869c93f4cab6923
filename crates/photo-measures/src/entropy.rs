//! Entropy-coded data of a Huffman JPEG, followed bit by bit (ITU-T T.81 Annex F and G)
//! without the pixel work: every scan must decode exactly the number of blocks its frame
//! declares, with valid codes, coefficients inside the block, restart markers in sequence
//! where the restart interval puts them, and no bytes left over before the marker that ends
//! the scan.
//!
//! Decoders resynchronise after damage and paint whatever comes out; random bytes written
//! over a photo's data decode into plausible blocks. A desynchronised stream, though,
//! almost never ends exactly where the frame says the picture ends: that is what this
//! checks, as libjpeg's "extraneous bytes before marker" and "premature end" warnings do.

use crate::integrity::Damage;

fn corrupt<T>(why: impl Into<String>) -> Result<T, Damage> {
    Err(Damage::Corrupt(why.into()))
}

/// A canonical Huffman table (T.81 C.2) with a 9-bit lookahead.
#[derive(Clone)]
struct Huffman {
    /// For each code length 1..=16: the largest code of that length (or -1) and the
    /// index of its first value.
    maxcode: [i32; 18],
    valptr: [i32; 17],
    mincode: [i32; 17],
    values: Vec<u8>,
    /// `(length << 8) | value` for codes of at most 9 bits, by their next 9 bits; 0 if longer.
    lookahead: Vec<u16>,
}

const LOOKAHEAD_BITS: u32 = 9;

impl Huffman {
    fn new(counts: &[u8; 16], values: &[u8]) -> Result<Self, Damage> {
        let total: usize = counts.iter().map(|&c| usize::from(c)).sum();
        if total > 256 || total != values.len() {
            return corrupt("a Huffman table with an impossible size");
        }
        let mut maxcode = [-1i32; 18];
        let mut valptr = [0i32; 17];
        let mut mincode = [0i32; 17];
        let mut lookahead = vec![0u16; 1 << LOOKAHEAD_BITS];
        let (mut code, mut k) = (0i32, 0i32);
        for len in 1..=16usize {
            let n = i32::from(counts[len - 1]);
            valptr[len] = k;
            mincode[len] = code;
            if n > 0 {
                for i in 0..n {
                    let c = code + i;
                    if len as u32 <= LOOKAHEAD_BITS {
                        let shift = LOOKAHEAD_BITS - len as u32;
                        let start = (c as usize) << shift;
                        let value = values[(k + i) as usize];
                        for slot in &mut lookahead[start..start + (1 << shift)] {
                            *slot = ((len as u16) << 8) | u16::from(value);
                        }
                    }
                }
                code += n;
                k += n;
                maxcode[len] = code - 1;
            }
            // Codes of a length must fit in that many bits (an over-full table is damage).
            if code > (1 << len) {
                return corrupt("an over-subscribed Huffman table");
            }
            code <<= 1;
        }
        maxcode[17] = i32::MAX;
        Ok(Self {
            maxcode,
            valptr,
            mincode,
            values: values.to_vec(),
            lookahead,
        })
    }
}

/// Bits of one scan's entropy-coded data, unstuffed, stopping at the marker that ends it.
struct Bits<'a> {
    data: &'a [u8],
    pos: usize,
    buf: u64,
    count: u32,
    /// Zero bits appended after a marker was reached; using one means the data ran out.
    phantom: u32,
}

impl<'a> Bits<'a> {
    fn new(data: &'a [u8], pos: usize) -> Self {
        Self {
            data,
            pos,
            buf: 0,
            count: 0,
            phantom: 0,
        }
    }

    fn fill(&mut self) {
        while self.count <= 56 {
            let byte = match self.data.get(self.pos) {
                Some(0xFF) if self.data.get(self.pos + 1) == Some(&0x00) => {
                    self.pos += 2;
                    0xFF
                }
                Some(&b) if b != 0xFF => {
                    self.pos += 1;
                    b
                }
                // A marker, or the end of the file: feed zeros, as T.81 F.2.2.5 says.
                _ => {
                    self.phantom += 8;
                    0
                }
            };
            self.buf |= u64::from(byte) << (56 - self.count);
            self.count += 8;
        }
    }

    fn consume(&mut self, n: u32) -> Result<(), Damage> {
        self.buf <<= n;
        self.count -= n;
        // Bits still buffered include the phantom ones last: consuming into them is overrun.
        if self.phantom > self.count {
            return corrupt("the image data stops before the picture is complete");
        }
        Ok(())
    }

    fn peek(&mut self, n: u32) -> u32 {
        if self.count < n {
            self.fill();
        }
        (self.buf >> (64 - n)) as u32
    }

    fn bits(&mut self, n: u32) -> Result<u32, Damage> {
        if n == 0 {
            return Ok(0);
        }
        let v = self.peek(n);
        self.consume(n)?;
        Ok(v)
    }

    fn decode(&mut self, table: &Huffman) -> Result<u8, Damage> {
        let look = self.peek(LOOKAHEAD_BITS);
        let entry = table.lookahead[look as usize];
        if entry != 0 {
            self.consume(u32::from(entry >> 8))?;
            return Ok(entry as u8);
        }
        let peek16 = self.peek(16) as i32;
        for len in (LOOKAHEAD_BITS + 1)..=16 {
            let code = peek16 >> (16 - len);
            let l = len as usize;
            if code <= table.maxcode[l] {
                self.consume(len)?;
                let index = table.valptr[l] + code - table.mincode[l];
                return table
                    .values
                    .get(index as usize)
                    .copied()
                    .ok_or_else(|| Damage::Corrupt("an invalid Huffman code".into()));
            }
        }
        corrupt("an invalid Huffman code")
    }

    /// Drops the padding bits of the current byte and returns the position of the next
    /// unread byte, which must start a marker.
    fn align(&mut self) -> Result<usize, Damage> {
        if self.phantom > 0 && self.count <= self.phantom {
            // Everything real was read: the reader stopped at the marker.
            return Ok(self.pos);
        }
        // Whole unread bytes are still buffered: they are data the blocks did not need.
        let real = self.count - self.phantom.min(self.count);
        if real >= 8 {
            return corrupt(format!(
                "{} bytes of image data left over where the scan should end",
                real / 8
            ));
        }
        Ok(self.pos)
    }

    /// After a restart interval: padding, then RSTn with the expected n.
    fn restart(&mut self, expected: u8) -> Result<(), Damage> {
        let pos = self.align()?;
        let mut p = pos;
        while self.data.get(p) == Some(&0xFF) && self.data.get(p + 1) == Some(&0xFF) {
            p += 1;
        }
        match (self.data.get(p), self.data.get(p + 1)) {
            (Some(0xFF), Some(&m)) if m == 0xD0 + expected => {}
            (Some(0xFF), Some(0xD0..=0xD7)) => return corrupt("restart markers out of sequence"),
            (None, _) | (_, None) => return Err(Damage::Truncated),
            _ => return corrupt("a restart marker missing where the restart interval puts one"),
        }
        self.pos = p + 2;
        self.buf = 0;
        self.count = 0;
        self.phantom = 0;
        Ok(())
    }
}

#[derive(Clone, Copy)]
struct Component {
    id: u8,
    h: usize,
    v: usize,
    /// Its quantisation table's DC step, once known.
    tq: usize,
}

/// The state the checker keeps across a file's segments.
pub(crate) struct EntropyCheck {
    dc: [Option<Huffman>; 4],
    ac: [Option<Huffman>; 4],
    /// The DC step of each quantisation table.
    dc_step: [Option<i32>; 4],
    restart_interval: usize,
    precision: u8,
    progressive: bool,
    components: Vec<Component>,
    width: usize,
    height: usize,
    /// Progressive: per component, which coefficients of each block are non-zero so far
    /// (refinement scans read a correction bit for those).
    nonzero: Vec<Vec<u64>>,
    /// Arithmetic coding, lossless or hierarchical frames are left to the decoder.
    unsupported: bool,
}

impl EntropyCheck {
    pub(crate) fn new() -> Self {
        Self {
            dc: Default::default(),
            ac: Default::default(),
            dc_step: [None; 4],
            restart_interval: 0,
            precision: 8,
            progressive: false,
            components: Vec::new(),
            width: 0,
            height: 0,
            nonzero: Vec::new(),
            unsupported: false,
        }
    }

    fn hmax(&self) -> usize {
        self.components.iter().map(|c| c.h).max().unwrap_or(1)
    }

    fn vmax(&self) -> usize {
        self.components.iter().map(|c| c.v).max().unwrap_or(1)
    }

    fn mcus(&self) -> (usize, usize) {
        (
            self.width.div_ceil(8 * self.hmax()),
            self.height.div_ceil(8 * self.vmax()),
        )
    }

    /// A segment before or between scans: tables, restart interval, frame header.
    pub(crate) fn segment(&mut self, marker: u8, body: &[u8]) -> Result<(), Damage> {
        match marker {
            0xC4 => self.huffman_tables(body),
            0xDB => self.quantisation_tables(body),
            0xDD => {
                let Some(ri) = body.get(..2) else {
                    return corrupt("a short restart interval segment");
                };
                self.restart_interval = usize::from(u16::from_be_bytes([ri[0], ri[1]]));
                Ok(())
            }
            0xC0..=0xC2 => self.frame(marker, body),
            0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF => {
                self.unsupported = true;
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn huffman_tables(&mut self, mut body: &[u8]) -> Result<(), Damage> {
        while !body.is_empty() {
            let Some(head) = body.get(..17) else {
                return corrupt("a short Huffman table segment");
            };
            let (class, id) = (head[0] >> 4, usize::from(head[0] & 0x0F));
            if class > 1 || id > 3 {
                return corrupt("a Huffman table with an invalid class or id");
            }
            let counts: [u8; 16] = head[1..17].try_into().unwrap_or([0; 16]);
            let n: usize = counts.iter().map(|&c| usize::from(c)).sum();
            let Some(values) = body.get(17..17 + n) else {
                return corrupt("a short Huffman table segment");
            };
            let table = Huffman::new(&counts, values)?;
            if class == 0 {
                self.dc[id] = Some(table);
            } else {
                self.ac[id] = Some(table);
            }
            body = &body[17 + n..];
        }
        Ok(())
    }

    fn quantisation_tables(&mut self, mut body: &[u8]) -> Result<(), Damage> {
        while let Some(&pq_tq) = body.first() {
            let (wide, id) = (pq_tq >> 4 == 1, usize::from(pq_tq & 0x0F));
            let len = if wide { 128 } else { 64 };
            let Some(table) = body.get(1..1 + len) else {
                return corrupt("a short quantisation table segment");
            };
            if id < 4 {
                let step = if wide {
                    i32::from(u16::from_be_bytes([table[0], table[1]]))
                } else {
                    i32::from(table[0])
                };
                self.dc_step[id] = Some(step);
            }
            body = &body[1 + len..];
        }
        Ok(())
    }

    fn frame(&mut self, marker: u8, body: &[u8]) -> Result<(), Damage> {
        let Some(head) = body.get(..6) else {
            return corrupt("a short frame header");
        };
        self.precision = head[0];
        self.height = usize::from(u16::from_be_bytes([head[1], head[2]]));
        self.width = usize::from(u16::from_be_bytes([head[3], head[4]]));
        let n = usize::from(head[5]);
        self.progressive = marker == 0xC2;
        self.components.clear();
        for i in 0..n {
            let Some(c) = body.get(6 + 3 * i..9 + 3 * i) else {
                return corrupt("a short frame header");
            };
            let (h, v) = (usize::from(c[1] >> 4), usize::from(c[1] & 0x0F));
            if !(1..=4).contains(&h) || !(1..=4).contains(&v) {
                return corrupt("a component with invalid sampling factors");
            }
            self.components.push(Component {
                id: c[0],
                h,
                v,
                tq: usize::from(c[2] & 0x03),
            });
        }
        if self.width == 0 || self.height == 0 || n == 0 {
            // Height 0 (defined later by DNL) is left to the decoder.
            self.unsupported = true;
            return Ok(());
        }
        if self.progressive {
            let (mx, my) = self.mcus();
            self.nonzero = self
                .components
                .iter()
                .map(|c| vec![0u64; mx * c.h * my * c.v])
                .collect();
        }
        Ok(())
    }

    /// Checks one scan whose header is `header` and whose data starts at `data[start]`;
    /// returns the position of the marker that ends it.
    pub(crate) fn scan(&mut self, header: &[u8], data: &[u8], start: usize) -> Result<usize, Damage> {
        if self.unsupported || self.components.is_empty() {
            return Ok(skip_to_marker(data, start));
        }
        let ns = usize::from(*header.first().unwrap_or(&0));
        let Some(spec) = header.get(1..1 + 2 * ns + 3) else {
            return corrupt("a short scan header");
        };
        let mut scan = Vec::with_capacity(ns);
        for i in 0..ns {
            let id = spec[2 * i];
            let Some(index) = self.components.iter().position(|c| c.id == id) else {
                return corrupt("a scan names a component the frame does not have");
            };
            scan.push((
                index,
                usize::from(spec[2 * i + 1] >> 4),
                usize::from(spec[2 * i + 1] & 0x0F),
            ));
        }
        let (ss, se) = (usize::from(spec[2 * ns]), usize::from(spec[2 * ns + 1]));
        let (ah, al) = (spec[2 * ns + 2] >> 4, i32::from(spec[2 * ns + 2] & 0x0F));
        if ns == 0 || ns > 4 || se > 63 || ss > se || (self.progressive && ss == 0 && se != 0) || al > 13 {
            return corrupt("an invalid scan header");
        }
        if self.progressive && ss > 0 && ns != 1 {
            return corrupt("an AC scan of more than one component");
        }
        let kind = if !self.progressive {
            ScanKind::Sequential
        } else if ss == 0 {
            if ah == 0 {
                ScanKind::DcFirst
            } else {
                ScanKind::DcRefine
            }
        } else if ah == 0 {
            ScanKind::AcFirst { ss, se }
        } else {
            ScanKind::AcRefine { ss, se }
        };
        for &(index, dc, ac) in &scan {
            let needs_dc = matches!(kind, ScanKind::Sequential | ScanKind::DcFirst);
            let needs_ac = matches!(
                kind,
                ScanKind::Sequential | ScanKind::AcFirst { .. } | ScanKind::AcRefine { .. }
            );
            if (needs_dc && self.dc.get(dc).is_none_or(Option::is_none))
                || (needs_ac && self.ac.get(ac).is_none_or(Option::is_none))
            {
                return corrupt(format!(
                    "a scan of component {} uses a Huffman table that was never defined",
                    self.components[index].id
                ));
            }
        }
        // DC differences need up to 11 bits at 8-bit precision, 15 at 12-bit; AC one less.
        let max_dc = if self.precision > 8 { 15 } else { 11 };
        let mut bits = Bits::new(data, start);
        let (mx, my) = self.mcus();
        // The blocks of each MCU, as (component index, block column, block row).
        let single = scan.len() == 1;
        let mcu_count = if single {
            let c = self.components[scan[0].0];
            let w = (self.width * c.h).div_ceil(self.hmax()).div_ceil(8);
            let h = (self.height * c.v).div_ceil(self.vmax()).div_ceil(8);
            w * h
        } else {
            mx * my
        };
        let mut eobrun = 0u32;
        let mut restarts = 0u8;
        // A DC coefficient lies within ±1024 (8-bit samples, ±16384 at 12-bit) times 8 / 8:
        // damage decoded as differences drifts the running value out of that range.
        let dc_limit = if self.precision > 8 { 16384 } else { 1024 };
        let dc_range: Vec<Option<i32>> = scan
            .iter()
            .map(|&(index, _, _)| {
                self.dc_step[self.components[index].tq]
                    .filter(|&q| q > 0)
                    .map(|q| ((dc_limit + q) / q) >> al)
            })
            .collect();
        let mut dc_pred = vec![0i32; scan.len()];
        for mcu in 0..mcu_count {
            if self.restart_interval > 0 && mcu > 0 && mcu % self.restart_interval == 0 {
                bits.restart(restarts)?;
                restarts = (restarts + 1) % 8;
                eobrun = 0;
                dc_pred.iter_mut().for_each(|p| *p = 0);
            }
            for (slot, &(index, dc, ac)) in scan.iter().enumerate() {
                let c = self.components[index];
                let stride = mx * c.h;
                // One block per MCU in a single-component scan; h × v blocks otherwise.
                let (x0, y0, bw, bh) = if single {
                    let w = (self.width * c.h).div_ceil(self.hmax()).div_ceil(8);
                    (mcu % w, mcu / w, 1, 1)
                } else {
                    ((mcu % mx) * c.h, (mcu / mx) * c.v, c.h, c.v)
                };
                for by in y0..y0 + bh {
                    for bx in x0..x0 + bw {
                        let block = by * stride + bx;
                        let diff = self.block(&mut bits, kind, index, block, dc, ac, max_dc, &mut eobrun)?;
                        dc_pred[slot] = dc_pred[slot].saturating_add(diff);
                        if dc_range[slot].is_some_and(|r| dc_pred[slot].abs() > r) {
                            return corrupt("a DC coefficient outside the range of any picture");
                        }
                    }
                }
            }
        }
        if eobrun > 0 {
            return corrupt("an end-of-band run longer than the scan");
        }
        bits.align()
    }
}

impl EntropyCheck {
    #[allow(clippy::too_many_arguments)]
    fn block(
        &mut self,
        bits: &mut Bits<'_>,
        kind: ScanKind,
        component: usize,
        block: usize,
        dc: usize,
        ac: usize,
        max_dc: u8,
        eobrun: &mut u32,
    ) -> Result<i32, Damage> {
        let missing = || Damage::Corrupt("a Huffman table that was never defined".into());
        match kind {
            ScanKind::Sequential | ScanKind::DcFirst => {
                let t = bits.decode(self.dc[dc].as_ref().ok_or_else(missing)?)?;
                if t > max_dc {
                    return corrupt("a DC difference beyond the precision");
                }
                let raw = bits.bits(u32::from(t))?;
                if kind == ScanKind::Sequential {
                    sequential_ac(bits, self.ac[ac].as_ref().ok_or_else(missing)?, max_dc - 1)?;
                }
                return Ok(extend(raw, t));
            }
            ScanKind::DcRefine => {
                bits.bits(1)?;
            }
            ScanKind::AcFirst { ss, se } | ScanKind::AcRefine { ss, se } => {
                let table = self.ac[ac].as_ref().ok_or_else(missing)?;
                let nonzero = self.nonzero[component]
                    .get_mut(block)
                    .ok_or_else(|| Damage::Corrupt("a block outside the frame".into()))?;
                if matches!(kind, ScanKind::AcFirst { .. }) {
                    ac_first(bits, table, ss, se, max_dc - 1, eobrun, nonzero)?;
                } else {
                    ac_refine(bits, table, ss, se, eobrun, nonzero)?;
                }
            }
        }
        Ok(0)
    }
}

/// T.81 F.2.2.1 EXTEND: the signed value of `t` raw bits.
fn extend(raw: u32, t: u8) -> i32 {
    if t == 0 {
        return 0;
    }
    let raw = raw as i32;
    if raw < 1 << (t - 1) {
        raw - (1 << t) + 1
    } else {
        raw
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ScanKind {
    Sequential,
    DcFirst,
    DcRefine,
    AcFirst { ss: usize, se: usize },
    AcRefine { ss: usize, se: usize },
}

/// Past a scan's data to the 0xFF of the next marker (for scans left to the decoder).
fn skip_to_marker(data: &[u8], mut pos: usize) -> usize {
    while pos + 1 < data.len() {
        if data[pos] == 0xFF && !matches!(data[pos + 1], 0x00 | 0xD0..=0xD7 | 0xFF) {
            return pos;
        }
        pos += 1;
    }
    data.len()
}

fn sequential_ac(bits: &mut Bits<'_>, table: &Huffman, max_size: u8) -> Result<(), Damage> {
    let mut k = 1;
    while k < 64 {
        let rs = bits.decode(table)?;
        let (r, s) = (usize::from(rs >> 4), rs & 0x0F);
        if s == 0 {
            if r == 15 {
                k += 16;
                continue;
            }
            return Ok(());
        }
        k += r;
        if k > 63 || s > max_size {
            return corrupt("a coefficient outside its block");
        }
        bits.bits(u32::from(s))?;
        k += 1;
    }
    Ok(())
}

fn ac_first(
    bits: &mut Bits<'_>,
    table: &Huffman,
    ss: usize,
    se: usize,
    max_size: u8,
    eobrun: &mut u32,
    nonzero: &mut u64,
) -> Result<(), Damage> {
    if *eobrun > 0 {
        *eobrun -= 1;
        return Ok(());
    }
    let mut k = ss;
    while k <= se {
        let rs = bits.decode(table)?;
        let (r, s) = (usize::from(rs >> 4), rs & 0x0F);
        if s == 0 {
            if r < 15 {
                *eobrun = (1u32 << r) - 1;
                if r > 0 {
                    *eobrun += bits.bits(r as u32)?;
                }
                return Ok(());
            }
            k += 16;
            continue;
        }
        k += r;
        if k > se || s > max_size {
            return corrupt("a coefficient outside its spectral band");
        }
        bits.bits(u32::from(s))?;
        *nonzero |= 1 << k;
        k += 1;
    }
    Ok(())
}

/// T.81 G.1.2.3: correction bits for coefficients already non-zero, new ones of ±1.
fn ac_refine(
    bits: &mut Bits<'_>,
    table: &Huffman,
    ss: usize,
    se: usize,
    eobrun: &mut u32,
    nonzero: &mut u64,
) -> Result<(), Damage> {
    let mut k = ss;
    if *eobrun == 0 {
        while k <= se {
            let rs = bits.decode(table)?;
            let (mut r, s) = (i32::from(rs >> 4), rs & 0x0F);
            let mut new_coefficient = false;
            let mut placed = false;
            if s == 0 {
                if r < 15 {
                    *eobrun = 1u32 << r;
                    if r > 0 {
                        *eobrun += bits.bits(r as u32)?;
                    }
                    break;
                }
            } else if s == 1 {
                bits.bits(1)?;
                new_coefficient = true;
            } else {
                return corrupt("a refinement coefficient larger than one step");
            }
            while k <= se {
                if *nonzero & (1 << k) != 0 {
                    bits.bits(1)?;
                } else {
                    if r == 0 {
                        if new_coefficient {
                            *nonzero |= 1 << k;
                            placed = true;
                        }
                        k += 1;
                        break;
                    }
                    r -= 1;
                }
                k += 1;
            }
            if new_coefficient && !placed {
                return corrupt("a refinement coefficient outside its spectral band");
            }
        }
    }
    if *eobrun > 0 {
        while k <= se {
            if *nonzero & (1 << k) != 0 {
                bits.bits(1)?;
            }
            k += 1;
        }
        *eobrun -= 1;
    }
    Ok(())
}
