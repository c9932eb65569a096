//! The matrix product: NumPy's `dot` (1-D and 2-D operands) and `matmul`
//! (stacks of matrices with broadcast batch dimensions), on both backends.
//!
//! Operands are never copied: every kernel reads A and B through an offset,
//! a row stride, a column stride and batch strides, so `a.t().dot(&b)` or a
//! sliced sub-matrix costs no extra memory. The result is a fresh
//! C-contiguous array, or the caller's `out`.

use std::sync::Arc;

use rayon::prelude::*;

use crate::array::Array;
use crate::device::gpu::{Gpu, GpuStorage};
use crate::device::{cpu, Storage};
use crate::element::{DType, Number};
use crate::error::{fmt_shape, Error, Result};
use crate::layout::{broadcast_shapes, Layout};

/// Which GPU kernel computes a matrix product; see [`Array::matmul_with`].
/// The CPU backend ignores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MatmulKernel {
    /// [`Register`](MatmulKernel::Register) on CPU-type adapters (lavapipe),
    /// [`Tiled`](MatmulKernel::Tiled) elsewhere; the environment variable
    /// `NDGPU_MATMUL_KERNEL=tiled|register` overrides the choice.
    Auto,
    /// Workgroup-memory tiles (64×64, K in slices of 16) and 4×4 register
    /// blocks: the usual kernel for hardware GPUs.
    Tiled,
    /// 8×8 register blocks without workgroup memory or barriers, with a vec4
    /// variant for row-contiguous operands: on lavapipe this runs about 20×
    /// faster than the tiled kernel, because barriers are expensive there.
    Register,
}

/// NumPy's gufunc signature of matmul, quoted in its error messages.
const SIG: &str = "(n?,k),(k,m?)->(n?,m?)";

/// One operand seen as a batch of matrices, in elements.
#[derive(Debug, Clone)]
struct Operand {
    offset: isize,
    rs: isize,
    cs: isize,
    /// One per batch axis of the result; 0 where the operand is broadcast.
    batch_strides: Vec<isize>,
}

impl Operand {
    /// The element offset of batch entry `bi` (C order over `batch_shape`).
    fn batch_offset(&self, batch_shape: &[usize], mut bi: usize) -> isize {
        let mut o = self.offset;
        for (d, s) in batch_shape.iter().zip(&self.batch_strides).rev() {
            o += (bi % d) as isize * s;
            bi /= d;
        }
        o
    }
}

/// A planned product `C[b] = A[b] @ B[b]`, with C of shape `batch + (m, n)`
/// stored C-contiguously.
#[derive(Debug, Clone)]
struct Plan {
    m: usize,
    n: usize,
    k: usize,
    batch_shape: Vec<usize>,
    a: Operand,
    b: Operand,
    /// NumPy's result shape: the batch shape, then m unless A is 1-D, then n
    /// unless B is 1-D.
    out_shape: Vec<usize>,
}

impl Plan {
    fn batch(&self) -> usize {
        self.batch_shape.iter().product()
    }

    /// NumPy's matmul rules: a 1-D A is a row (its axis removed from the
    /// result), a 1-D B a column; the leading axes broadcast.
    fn new(a: &Layout, b: &Layout) -> Result<Plan> {
        for (i, l) in [a, b].into_iter().enumerate() {
            if l.ndim() == 0 {
                return Err(Error::Value(format!(
                    "matmul: Input operand {i} does not have enough dimensions (has 0, gufunc core with signature {SIG} requires 1)"
                )));
            }
        }
        let (da, db) = (a.ndim(), b.ndim());
        // (rows, inner, row stride, column stride, batch axes)
        let (m, ka, a_rs, a_cs, a_nb) = if da == 1 {
            (1, a.shape[0], 0, a.strides[0], 0)
        } else {
            (
                a.shape[da - 2],
                a.shape[da - 1],
                a.strides[da - 2],
                a.strides[da - 1],
                da - 2,
            )
        };
        let (kb, n, b_rs, b_cs, b_nb) = if db == 1 {
            (b.shape[0], 1, b.strides[0], 0, 0)
        } else {
            (
                b.shape[db - 2],
                b.shape[db - 1],
                b.strides[db - 2],
                b.strides[db - 1],
                db - 2,
            )
        };
        if ka != kb {
            return Err(Error::Shape(format!(
                "matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc signature {SIG} (size {kb} is different from {ka})"
            )));
        }
        let batch_shape = broadcast_shapes(&[&a.shape[..a_nb], &b.shape[..b_nb]])?;
        // Batch strides aligned to the right, as broadcasting aligns shapes.
        let strides = |l: &Layout, nb: usize| -> Vec<isize> {
            let lead = batch_shape.len() - nb;
            (0..batch_shape.len())
                .map(|j| match j.checked_sub(lead) {
                    Some(i) if l.shape[i] != 1 => l.strides[i],
                    _ => 0,
                })
                .collect()
        };
        let mut out_shape = batch_shape.clone();
        if da > 1 {
            out_shape.push(m);
        }
        if db > 1 {
            out_shape.push(n);
        }
        Ok(Plan {
            m,
            n,
            k: ka,
            a: Operand {
                offset: a.offset as isize,
                rs: a_rs,
                cs: a_cs,
                batch_strides: strides(a, a_nb),
            },
            b: Operand {
                offset: b.offset as isize,
                rs: b_rs,
                cs: b_cs,
                batch_strides: strides(b, b_nb),
            },
            batch_shape,
            out_shape,
        })
    }
}

impl<T: Number> Array<T> {
    /// The dot product, NumPy's `np.dot(a, b)`: 1-D·1-D is the inner product
    /// (a 0-d array), 2-D·1-D and 1-D·2-D a matrix-vector product, 2-D·2-D
    /// the matrix product, a 0-d operand scales the other, and N-d operands
    /// take the sum product over `a`'s last axis and `b`'s second-to-last
    /// (for N-d `b` that axis is gathered into a copy first). Views (`a.t()`,
    /// slices) of 1-D and 2-D operands are read through their strides, never
    /// copied.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1.0f32, 2., 3., 4.], &[2, 2])?;
    /// let b = Array::from_slice(&dev, &[5.0f32, 6., 7., 8.], &[2, 2])?;
    /// assert_eq!(a.dot(&b)?.to_vec()?, vec![19., 22., 43., 50.]);
    /// let v = Array::from_slice(&dev, &[1.0f32, 1.], &[2])?;
    /// assert_eq!(v.dot(&v)?.item()?, 2.0);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// Inner dimensions that differ (NumPy's `shapes (2,3) and (4,5) not
    /// aligned: 3 (dim 1) != 4 (dim 0)`); arrays on different devices; out of
    /// memory.
    pub fn dot(&self, other: &Array<T>) -> Result<Array<T>> {
        let (a, b) = (self.shape(), other.shape());
        // A 0-d operand scales the other (NumPy's dot is then multiply).
        if a.is_empty() || b.is_empty() {
            return self.mul(other);
        }
        let ka = a[a.len() - 1];
        let kb_dim = b.len().saturating_sub(2);
        if ka != b[kb_dim] {
            return Err(Error::Shape(format!(
                "shapes {} and {} not aligned: {ka} (dim {}) != {} (dim {kb_dim})",
                fmt_shape(a),
                fmt_shape(b),
                a.len() - 1,
                b[kb_dim]
            )));
        }
        if a.len() <= 2 && b.len() <= 2 {
            return self.product(other, None, MatmulKernel::Auto);
        }
        if b.len() == 1 {
            // (..., K) · (K): matmul's column rule is NumPy's dot here.
            return self.matmul(other);
        }
        // N-d: a sum product over a's last axis and b's second-to-last:
        // (P, K) · (K, Q·N), then back to a.shape[:-1] + b.shape[:-2] + (N,).
        let n = b[b.len() - 1];
        let p: usize = a[..a.len() - 1].iter().product();
        let q: usize = b[..b.len() - 2].iter().product();
        let mut perm: Vec<usize> = vec![b.len() - 2];
        perm.extend((0..b.len() - 2).chain([b.len() - 1]));
        let a2 = self.reshape(&[p, ka])?;
        let b2 = other.permute(&perm)?.reshape(&[ka, q * n])?;
        let mut shape = a[..a.len() - 1].to_vec();
        shape.extend_from_slice(&b[..b.len() - 2]);
        shape.push(n);
        a2.product(&b2, None, MatmulKernel::Auto)?.reshape(&shape)
    }

    /// The matrix product with NumPy's `matmul` rules (`a @ b`): the last
    /// two axes are matrices, leading axes are a batch and broadcast; a 1-D
    /// first operand is a row and a 1-D second operand a column, their axis
    /// removed from the result. Operands are read through their strides.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// // a stack of two 2x2 matrices times one 2x2 matrix (broadcast)
    /// let a = Array::from_slice(&dev, &[1, 0, 0, 1, 2, 0, 0, 2], &[2, 2, 2])?;
    /// let b = Array::from_slice(&dev, &[1, 2, 3, 4], &[2, 2])?;
    /// let c = a.matmul(&b)?;
    /// assert_eq!(c.shape(), &[2, 2, 2]);
    /// assert_eq!(c.to_vec()?, vec![1, 2, 3, 4, 2, 4, 6, 8]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// A 0-d operand; inner dimensions that differ (NumPy's `matmul: Input
    /// operand 1 has a mismatch in its core dimension 0, ...`); batch shapes
    /// that do not broadcast; arrays on different devices; out of memory.
    pub fn matmul(&self, other: &Array<T>) -> Result<Array<T>> {
        self.product(other, None, MatmulKernel::Auto)
    }

    /// [`matmul`](Array::matmul) with a chosen GPU kernel, to compare or test
    /// the kernels on one adapter.
    ///
    /// ```
    /// use ndgpu::{Array, Device, MatmulKernel};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1.0f32, 2., 3., 4.], &[2, 2])?;
    /// let c = a.matmul_with(&a, MatmulKernel::Tiled)?;
    /// assert_eq!(c.to_vec()?, vec![7., 10., 15., 22.]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`matmul`](Array::matmul).
    pub fn matmul_with(&self, other: &Array<T>, kernel: MatmulKernel) -> Result<Array<T>> {
        self.product(other, None, kernel)
    }

    /// [`matmul`](Array::matmul) into the caller's array (NumPy's
    /// `np.matmul(a, b, out=out)`). An `out` that overlaps an operand gets
    /// the result as if the operands had been copied first.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1, 2, 3, 4], &[2, 2])?;
    /// a.matmul_into(&a.clone(), &a)?; // a = a @ a, in place
    /// assert_eq!(a.to_vec()?, vec![7, 10, 15, 22]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`matmul`](Array::matmul); a read-only `out`; an `out` whose shape
    /// is not the result's; `out` on another device.
    pub fn matmul_into(&self, other: &Array<T>, out: &Array<T>) -> Result<()> {
        self.product(other, Some(out), MatmulKernel::Auto).map(drop)
    }

    fn product(
        &self,
        other: &Array<T>,
        out: Option<&Array<T>>,
        kernel: MatmulKernel,
    ) -> Result<Array<T>> {
        let same_dev = |x: &Array<T>| {
            if x.device.same(&self.device) {
                Ok(())
            } else {
                Err(Error::DeviceMismatch(
                    x.device.info().name.clone(),
                    self.device.info().name.clone(),
                ))
            }
        };
        same_dev(other)?;
        let plan = Plan::new(&self.layout, &other.layout)?;
        let Some(out) = out else {
            let c = Array::uninit(&self.device, &plan.out_shape)?;
            compute(&plan, self, other, &c, kernel)?;
            return Ok(c);
        };
        out.check_writeable()?;
        same_dev(out)?;
        if out.shape() != plan.out_shape.as_slice() {
            return Err(Error::Shape(format!(
                "matmul: output operand has shape {} but the result has shape {}",
                fmt_shape(out.shape()),
                fmt_shape(&plan.out_shape)
            )));
        }
        // The kernels write C-contiguously and read the operands while they
        // write, so an out that is strided or shares a buffer with an operand
        // takes the result through a temporary (NumPy's as-if-copied rule).
        if out.layout.is_c_contiguous()
            && !out.storage.same(&self.storage)
            && !out.storage.same(&other.storage)
        {
            compute(&plan, self, other, out, kernel)?;
        } else {
            let tmp = Array::uninit(&self.device, &plan.out_shape)?;
            compute(&plan, self, other, &tmp, kernel)?;
            out.assign(&tmp)?;
        }
        Ok(out.clone())
    }
}

/// The longest K one GPU product runs (see `compute`).
const K_CHUNK: usize = 32768;

/// Writes `a @ b` into `c`, C-contiguous with the plan's shape and in a
/// buffer that neither operand uses.
fn compute<T: Number>(
    plan: &Plan,
    a: &Array<T>,
    b: &Array<T>,
    c: &Array<T>,
    kernel: MatmulKernel,
) -> Result<()> {
    if c.is_empty() {
        return Ok(());
    }
    if plan.k == 0 {
        // NumPy: an empty sum is zero.
        return c.fill(T::zero());
    }
    match (&a.storage, &b.storage, &c.storage) {
        (Storage::Cpu(sa), Storage::Cpu(sb), Storage::Cpu(sc)) => {
            cpu_product::<T>(plan, sa, sb, sc, c.layout.offset)
        }
        (Storage::Gpu(sa), Storage::Gpu(sb), Storage::Gpu(sc)) => {
            c.device.check_words(
                T::DTYPE,
                "GPU matmul takes f32, i32 or u32 operands; convert with astype first, or use Device::cpu()",
            )?;
            let g = c.gpu();
            // lavapipe silently ends a shader loop after 65535 iterations,
            // and the kernels loop over K: a longer K runs in chunks, the
            // first into C and each later one into a temporary added to C.
            if plan.k > K_CHUNK {
                let total = plan.batch() * plan.m * plan.n;
                let flat = c.reshape(&[total])?;
                let tmp = Array::<T>::uninit(&c.device, &[total])?;
                let Storage::Gpu(st) = &tmp.storage else {
                    unreachable!("a GPU device allocates GPU storage")
                };
                for k0 in (0..plan.k).step_by(K_CHUNK) {
                    let mut p = plan.clone();
                    p.k = K_CHUNK.min(plan.k - k0);
                    p.a.offset += k0 as isize * plan.a.cs;
                    p.b.offset += k0 as isize * plan.b.rs;
                    if k0 == 0 {
                        gpu_product::<T>(g, &p, [sa, sb, sc], c.layout.offset, kernel)?;
                    } else {
                        gpu_product::<T>(g, &p, [sa, sb, st], 0, kernel)?;
                        flat.add_inplace(&tmp)?;
                    }
                }
                return Ok(());
            }
            // A B larger than one storage binding: C = (B^T A^T)^T, where
            // B^T becomes the large left operand cut into row windows.
            if sb.requested() > g.max_binding
                && plan.batch() == 1
                && a.ndim() == 2
                && b.ndim() == 2
                && !Arc::ptr_eq(sa, sb)
            {
                let tmp = b.t().matmul(&a.t())?;
                return c.reshape(&[plan.m, plan.n])?.assign(&tmp.t());
            }
            // An A larger than one storage binding whose rows are not
            // contiguous (a transpose, say) can't be cut into row windows:
            // gather it into a C-contiguous temporary first.
            if sa.requested() > g.max_binding && plan.a.cs != 1 && !Arc::ptr_eq(sa, sb) {
                let ac = a.copy()?;
                let p = Plan::new(&ac.layout, &b.layout)?;
                let Storage::Gpu(sac) = &ac.storage else {
                    unreachable!("copies stay on their device")
                };
                return gpu_product::<T>(g, &p, [sac, sb, sc], c.layout.offset, kernel);
            }
            gpu_product::<T>(g, plan, [sa, sb, sc], c.layout.offset, kernel)
        }
        _ => Err(Error::DeviceMismatch(
            a.device.info().name.clone(),
            c.device.info().name.clone(),
        )),
    }
}

// ---------------------------------------------------------------- CPU path

fn cpu_product<T: Number>(
    plan: &Plan,
    sa: &cpu::CpuStorage,
    sb: &cpu::CpuStorage,
    sc: &cpu::CpuStorage,
    c_off: usize,
) -> Result<()> {
    // C is written, A and B read (they may share a buffer, `a.matmul(&a.t())`;
    // C never shares one); each distinct buffer locked once, in id order.
    let mut bufs = vec![sc, sa];
    if !Arc::ptr_eq(sa, sb) {
        bufs.push(sb);
    }
    let mut guards = cpu::lock_all(&bufs);
    let (gc, ab) = guards.split_first_mut().expect("C is always locked");
    let av: &[T] = bytemuck::cast_slice(ab[0].words());
    let bv: &[T] = bytemuck::cast_slice(ab[ab.len() - 1].words());
    let (m, n, k) = (plan.m, plan.n, plan.k);
    let total = plan.batch() * m * n;
    let words = gc.words_mut().expect("C is write-locked");
    let cv = &mut bytemuck::cast_slice_mut::<u64, T>(words)[c_off..c_off + total];
    let one = |bi: usize, cb: &mut [T], threads: Threads| -> Result<()> {
        let a = Mat {
            data: av,
            offset: plan.a.batch_offset(&plan.batch_shape, bi),
            rs: plan.a.rs,
            cs: plan.a.cs,
        };
        let b = Mat {
            data: bv,
            offset: plan.b.batch_offset(&plan.batch_shape, bi),
            rs: plan.b.rs,
            cs: plan.b.cs,
        };
        match T::DTYPE {
            DType::F32 => gemm_f32(
                m,
                k,
                n,
                &a.cast(),
                &b.cast(),
                bytemuck::cast_slice_mut(cb),
                threads,
            ),
            DType::F64 => gemm_f64(
                m,
                k,
                n,
                &a.cast(),
                &b.cast(),
                bytemuck::cast_slice_mut(cb),
                threads,
            ),
            // f16: each multiply-add computed in f32 and rounded to f16.
            DType::I32 | DType::U32 | DType::Bool | DType::I64 | DType::U8 | DType::F16 => {
                gemm_loop(m, k, n, &a, &b, cb, threads == Threads::All);
                Ok(())
            }
        }
    };
    let float = matches!(T::DTYPE, DType::F32 | DType::F64);
    let ops = m * n * k;
    let serial = if float {
        ops <= SERIAL_MAX_OPS
    } else {
        ops < PAR_MIN_OPS
    };
    if plan.batch() == 1 && serial && rayon::current_thread_index().is_none() {
        // One small product runs on one thread anyway: on the caller's,
        // which saves waking a pool thread (10-30 µs a call here, more
        // than the whole 64³ product).
        return one(0, cv, Threads::One);
    }
    // The locks stay on this thread; the products run in ndgpu's pool.
    cpu::exec(|| {
        if plan.batch() > 1 && m * n * k <= BATCH_PAR_MAX_OPS {
            // Many small products: one per task, each on one thread.
            cv.par_chunks_mut(m * n)
                .enumerate()
                .try_for_each(|(bi, cb)| one(bi, cb, Threads::One))
        } else {
            cv.chunks_mut(m * n)
                .enumerate()
                .try_for_each(|(bi, cb)| one(bi, cb, Threads::All))
        }
    })
}

/// Multiply-adds per product at or below which a batch runs its products in
/// parallel, each on one thread (256 x 64³: 1.6x over one at a time on all
/// cores, measured with examples/gemm_eval.rs).
const BATCH_PAR_MAX_OPS: usize = 128 * 128 * 128;

/// Rows of C per thread at or above which a float product runs as one band
/// of rows per thread (else gemm splits it itself).
const ROW_SPLIT_MIN: usize = 64;

/// Multiply-adds at or below which one float product runs on one thread.
const SERIAL_MAX_OPS: usize = 128 * 128 * 128;

/// `NDGPU_CPU_GEMM=matrixmultiply` sends every float product to
/// matrixmultiply (to compare the crates, or to sidestep gemm), read once.
fn force_matrixmultiply() -> bool {
    static FORCE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *FORCE.get_or_init(|| std::env::var_os("NDGPU_CPU_GEMM").is_some_and(|v| v == "matrixmultiply"))
}

/// Whether one product may use every core or runs on the caller's thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Threads {
    All,
    One,
}

/// A strided matrix inside a slice.
struct Mat<'a, T> {
    data: &'a [T],
    offset: isize,
    rs: isize,
    cs: isize,
}

impl<'a, T: Number> Mat<'a, T> {
    /// The same matrix over the concrete float type that `T` is.
    fn cast<U: bytemuck::Pod>(&self) -> Mat<'a, U> {
        Mat {
            data: bytemuck::cast_slice(self.data),
            offset: self.offset,
            rs: self.rs,
            cs: self.cs,
        }
    }
    #[inline]
    fn at(&self, i: usize, j: usize) -> T {
        self.data[(self.offset + i as isize * self.rs + j as isize * self.cs) as usize]
    }
}

impl<T> Mat<'_, T> {
    /// Checks that every element of a `rows`×`cols` matrix lies in the slice,
    /// which is what makes the raw-pointer gemm call sound.
    fn check(&self, rows: usize, cols: usize) -> Result<()> {
        let span = |d: usize, s: isize| (d as isize - 1) * s;
        let (r, c) = (span(rows, self.rs), span(cols, self.cs));
        let lo = self.offset + r.min(0) + c.min(0);
        let hi = self.offset + r.max(0) + c.max(0);
        if lo < 0 || hi >= self.data.len() as isize {
            return Err(Error::Value(format!(
                "internal error: a {rows}x{cols} operand at offset {} with strides ({}, {}) leaves its buffer of {} elements",
                self.offset,
                self.rs,
                self.cs,
                self.data.len()
            )));
        }
        Ok(())
    }
}

macro_rules! gemm_float {
    ($name:ident, $t:ty, $mm:path) => {
        /// `c = a @ b`: the `gemm` crate (its kernels chosen at run time:
        /// AVX-512 where the CPU has it, else AVX2/FMA, else scalar) for
        /// operands with positive strides, matrixmultiply for the rest
        /// (negative or zero strides, which its documentation allows).
        fn $name(
            m: usize,
            k: usize,
            n: usize,
            a: &Mat<'_, $t>,
            b: &Mat<'_, $t>,
            c: &mut [$t],
            threads: Threads,
        ) -> Result<()> {
            a.check(m, k)?;
            b.check(k, n)?;
            assert_eq!(c.len(), m * n, "the caller passes one C-contiguous matrix");
            let positive = a.rs > 0 && a.cs > 0 && b.rs > 0 && b.cs > 0;
            let ops = m * n * k;
            // gemm for every layout, `a.T @ b` included: an earlier rule sent
            // a column-wise A between 128³ and 512³ to matrixmultiply, but
            // measured again (examples/gemm_eval.rs) gemm ran it at 213-286 /
            // 255-275 GFLOP/s for n = 256 / 512 against 118-124 / 226-230.
            if positive && !force_matrixmultiply() {
                // `rows` rows of C (`c`, C-contiguous) from the A rows at `a_off`.
                let call = |rows: usize, a_off: isize, c: &mut [$t], par: gemm::Parallelism| {
                    debug_assert_eq!(c.len(), rows * n);
                    // SAFETY: `check` proved that every element A (m x k)
                    // and B (k x n) address through their strides lies
                    // inside their slices, and callers pass `rows` rows of A
                    // starting at one of its rows, a subset of those; `c`
                    // holds exactly rows*n elements at row stride n and
                    // column stride 1, and is borrowed mutably, so it aliases
                    // neither input. gemm reads and writes only the elements
                    // its dimensions and strides name (`wrapping_offset`
                    // computes addresses without dereferencing), and with
                    // `read_dst` false it never reads `c`: dst = 1 * (lhs @ rhs).
                    unsafe {
                        gemm::gemm(
                            rows,
                            n,
                            k,
                            c.as_mut_ptr(),
                            1,
                            n as isize,
                            false,
                            a.data.as_ptr().wrapping_offset(a_off),
                            a.cs,
                            a.rs,
                            b.data.as_ptr().wrapping_offset(b.offset),
                            b.cs,
                            b.rs,
                            0.0,
                            1.0,
                            false,
                            false,
                            false,
                            par,
                        );
                    }
                };
                let workers = rayon::current_num_threads().max(1);
                let per = m.div_ceil(workers);
                match threads {
                    // gemm on two threads ran 128³ at half its one-thread
                    // speed (examples/gemm_eval.rs): small products stay on one.
                    Threads::All if ops > SERIAL_MAX_OPS && workers > 1 && per >= ROW_SPLIT_MIN => {
                        // One band of C's rows per thread, each a one-thread
                        // gemm: 250-310 / 298-310 / 318-346 GFLOP/s for
                        // `a.T @ b` at n = 256 / 512 / 1024 against 154-273 /
                        // 265-297 / 282-320 for gemm's own two-thread split,
                        // and as fast or faster for `a @ b` (each thread packs
                        // B again: k*n copies against per*n*k multiply-adds).
                        c.par_chunks_mut(per * n).enumerate().for_each(|(p, cp)| {
                            let a_off = a.offset + (p * per) as isize * a.rs;
                            call(cp.len() / n, a_off, cp, gemm::Parallelism::None)
                        });
                    }
                    Threads::All if ops > SERIAL_MAX_OPS => {
                        call(m, a.offset, c, gemm::Parallelism::Rayon(0))
                    }
                    _ => call(m, a.offset, c, gemm::Parallelism::None),
                }
                return Ok(());
            }
            // SAFETY: `check` proved that every element A and B address lies
            // inside their slices, and `c` holds exactly m*n elements at row
            // stride n; `c` is borrowed mutably, so it aliases neither input.
            // `wrapping_offset` only computes the address; matrixmultiply
            // reads and writes just the elements named by the strides.
            unsafe {
                $mm(
                    m,
                    k,
                    n,
                    1.0,
                    a.data.as_ptr().wrapping_offset(a.offset),
                    a.rs,
                    a.cs,
                    b.data.as_ptr().wrapping_offset(b.offset),
                    b.rs,
                    b.cs,
                    0.0,
                    c.as_mut_ptr(),
                    n as isize,
                    1,
                );
            }
            Ok(())
        }
    };
}
gemm_float!(gemm_f32, f32, matrixmultiply::sgemm);
gemm_float!(gemm_f64, f64, matrixmultiply::dgemm);

/// Multiply-adds per matrix above which integer rows run in parallel.
const PAR_MIN_OPS: usize = 1 << 18;

/// `c = a @ b` for integers (wrapping, as NumPy): each row of C accumulates
/// rows of B scaled by A's elements, so the inner loop runs along a
/// contiguous row of C (and of B when B's rows are contiguous).
fn gemm_loop<T: Number>(
    m: usize,
    k: usize,
    n: usize,
    a: &Mat<'_, T>,
    b: &Mat<'_, T>,
    c: &mut [T],
    parallel: bool,
) {
    let row = |i: usize, cr: &mut [T]| {
        cr.fill(T::zero());
        for p in 0..k {
            let x = a.at(i, p);
            if b.cs == 1 {
                let s = (b.offset + p as isize * b.rs) as usize;
                for (y, &bv) in cr.iter_mut().zip(&b.data[s..s + n]) {
                    *y = y.mm_madd(x, bv);
                }
            } else {
                for (j, y) in cr.iter_mut().enumerate() {
                    *y = y.mm_madd(x, b.at(p, j));
                }
            }
        }
    };
    if parallel && m * n * k >= PAR_MIN_OPS && m > 1 {
        c.par_chunks_mut(n)
            .enumerate()
            .for_each(|(i, cr)| row(i, cr));
    } else {
        c.chunks_mut(n).enumerate().for_each(|(i, cr)| row(i, cr));
    }
}

// ---------------------------------------------------------------- GPU path

/// Invocations per workgroup of the register kernels (x: column blocks, y:
/// row blocks) and outputs per invocation; must match
/// scripts/gen_matmul_shaders.py.
const REG_WG: (usize, usize) = (32, 2);
const REG_BLOCK: (usize, usize) = (16, 8);
/// Output tile of one workgroup of the tiled kernel (rows = columns).
const TILE: usize = 64;

const COMMON: &str = include_str!("../../shaders/matmul_common.wgsl");
const TILED: &str = include_str!("../../shaders/matmul_tiled.wgsl");
const REGISTER: &str = include_str!("../../shaders/matmul_register.wgsl");
const REGISTER_VEC4: &str = include_str!("../../shaders/matmul_register_vec4.wgsl");

/// The kernel variants, one WGSL file each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Variant {
    Tiled,
    Register,
    RegisterVec4,
}

impl Variant {
    #[cfg(test)]
    const ALL: [Variant; 3] = [Variant::Tiled, Variant::Register, Variant::RegisterVec4];
    fn body(self) -> &'static str {
        match self {
            Variant::Tiled => TILED,
            Variant::Register => REGISTER,
            Variant::RegisterVec4 => REGISTER_VEC4,
        }
    }
}

/// The complete WGSL of a variant for `dtype`, with operand `j` of (A, B,
/// C) bound at `binding[j]` among `nbuf` distinct buffers.
fn source(variant: Variant, dtype: DType, binding: &[usize; 3], nbuf: usize) -> String {
    let t = dtype.wgsl().unwrap_or("f32");
    let mut s = format!("alias T = {t};\n");
    // One multiply-add for every dtype: WGSL has no integer fma (integer
    // products wrap, as NumPy's do), and `fma` measured no faster than
    // `a * b + c` for f32 on lavapipe.
    s += "fn madd(a: vec4<T>, b: vec4<T>, c: vec4<T>) -> vec4<T> { return a * b + c; }\n";
    s += "@group(0) @binding(0) var<storage, read> md: array<u32>;\n";
    let elem = if variant == Variant::RegisterVec4 {
        "vec4<T>"
    } else {
        "T"
    };
    for i in 0..nbuf {
        s += &format!(
            "@group(0) @binding({}) var<storage, {}> operand{i}: array<{elem}>;\n",
            i + 1,
            if i == 0 { "read_write" } else { "read" }
        );
    }
    s += COMMON;
    s + &variant
        .body()
        .replace("bufA", &format!("operand{}", binding[0]))
        .replace("bufB", &format!("operand{}", binding[1]))
        .replace("bufC", &format!("operand{}", binding[2]))
}

fn kernel_from_env(adapter: wgpu::DeviceType) -> Result<MatmulKernel> {
    match std::env::var("NDGPU_MATMUL_KERNEL").as_deref() {
        Ok("tiled") => Ok(MatmulKernel::Tiled),
        Ok("register") => Ok(MatmulKernel::Register),
        Ok("") | Err(_) if adapter == wgpu::DeviceType::Cpu => Ok(MatmulKernel::Register),
        Ok("") | Err(_) => Ok(MatmulKernel::Tiled),
        Ok(other) => Err(Error::Value(format!(
            "NDGPU_MATMUL_KERNEL={other:?} is not understood; expected \"tiled\" or \"register\""
        ))),
    }
}

/// Can the vec4 register variant read these operands? Rows of A and B must
/// be contiguous and every row start 16-byte aligned.
fn vec4_ok(plan: &Plan, c_off: usize) -> bool {
    let four = |x: isize| x % 4 == 0;
    let op = |o: &Operand| {
        o.cs == 1 && four(o.offset) && four(o.rs) && o.batch_strides.iter().all(|&s| four(s))
    };
    plan.k.is_multiple_of(4)
        && plan.n.is_multiple_of(4)
        && c_off.is_multiple_of(4)
        && op(&plan.a)
        && op(&plan.b)
}

fn i32_word(x: isize) -> Result<u32> {
    i32::try_from(x).map(|v| v as u32).map_err(|_| {
        Error::Value(format!(
            "matmul: stride or offset {x} does not fit the GPU kernels' 32-bit indices"
        ))
    })
}

/// The metadata table documented in shaders/matmul_common.wgsl.
fn gpu_meta(plan: &Plan, c_off: usize) -> Result<Vec<u32>> {
    let word = |x: usize| {
        u32::try_from(x)
            .map_err(|_| Error::Value(format!("matmul: size {x} is too large for the GPU kernels")))
    };
    let mut m = vec![
        word(plan.m)?,
        word(plan.n)?,
        word(plan.k)?,
        word(plan.batch())?,
        word(plan.batch_shape.len())?,
    ];
    for o in [&plan.a, &plan.b] {
        m.extend([i32_word(o.offset)?, i32_word(o.rs)?, i32_word(o.cs)?]);
    }
    m.push(i32_word(c_off as isize)?);
    for &d in &plan.batch_shape {
        m.push(word(d)?);
    }
    for o in [&plan.a, &plan.b] {
        for &s in &o.batch_strides {
            m.push(i32_word(s)?);
        }
    }
    Ok(m)
}

fn gpu_product<T: Number>(
    g: &Gpu,
    plan: &Plan,
    s: [&GpuStorage; 3],
    c_off: usize,
    kernel: MatmulKernel,
) -> Result<()> {
    let kernel = match kernel {
        MatmulKernel::Auto => kernel_from_env(g.adapter_kind)?,
        k => k,
    };
    // Each distinct buffer is bound once: wgpu rejects one buffer bound
    // read-only and read-write in one dispatch. The output's buffer comes
    // first and is the only read-write one (the device's bind group layout).
    let mut bufs: Vec<GpuStorage> = Vec::new();
    let mut binding = [0usize; 3];
    for j in [2, 0, 1] {
        let st = s[j];
        binding[j] = match bufs.iter().position(|b| Arc::ptr_eq(b, st)) {
            Some(i) => i,
            None => {
                bufs.push(st.clone());
                bufs.len() - 1
            }
        };
    }
    let variant = match kernel {
        MatmulKernel::Tiled => Variant::Tiled,
        _ if vec4_ok(plan, c_off) => Variant::RegisterVec4,
        _ => Variant::Register,
    };
    let (cols, rows) = match variant {
        Variant::Tiled => (TILE, TILE),
        _ => (REG_BLOCK.1 * REG_WG.0, REG_BLOCK.0 * REG_WG.1),
    };
    let gx = plan.n.div_ceil(cols);
    let gy = plan.m.div_ceil(rows);
    if gy > 65535 && plan.batch() == 1 {
        // A tall result: one dispatch per band of 65535 row-workgroups, each
        // a row slice of A and C (C is C-contiguous, its rows consecutive).
        let band = 65535 * rows;
        for r0 in (0..plan.m).step_by(band) {
            let mut p = plan.clone();
            p.m = band.min(plan.m - r0);
            p.a.offset += r0 as isize * plan.a.rs;
            gpu_product::<T>(g, &p, s, c_off + r0 * plan.n, kernel)?;
        }
        return Ok(());
    }
    if gx > 65535 || gy > 65535 {
        return Err(Error::Value(format!(
            "matmul: a {}x{} result needs more than 65535 workgroups along one axis",
            plan.m, plan.n
        )));
    }
    // Past 65535 batch entries the kernels loop over the batch in z.
    let gz = plan.batch().min(65535);
    let key = format!("mm|{variant:?}|{:?}|{binding:?}", T::DTYPE);
    let pipeline = g.pipeline(
        &key,
        || source(variant, T::DTYPE, &binding, bufs.len()),
        bufs.len(),
    )?;
    let groups = (gx as u32, gy as u32, gz as u32);
    if bufs.iter().all(|b| b.requested() <= g.max_binding) {
        let meta = gpu_meta(plan, c_off)?;
        return g.dispatch_grid(pipeline, bufs, &meta, groups);
    }
    // An operand larger than one storage binding: bind a window of each
    // buffer that covers what this product reads and writes, or split the
    // rows of A and C in two and try each half.
    let big = || {
        Error::Value(format!(
            "matmul: {} does not fit one storage binding ({} bytes) on this adapter; split the product or use Device::cpu()",
            "B, or one row of A and C,",
            g.max_binding
        ))
    };
    if plan.batch() > 1 {
        // One unbatched product per batch entry, each windowed on its own.
        for bi in 0..plan.batch() {
            let mut p = plan.clone();
            p.a.offset = plan.a.batch_offset(&plan.batch_shape, bi);
            p.b.offset = plan.b.batch_offset(&plan.batch_shape, bi);
            p.a.batch_strides.clear();
            p.b.batch_strides.clear();
            p.batch_shape.clear();
            gpu_product::<T>(g, &p, s, c_off + bi * plan.m * plan.n, kernel)?;
        }
        return Ok(());
    }
    let ls = [
        Layout {
            shape: vec![plan.m, plan.k],
            strides: vec![plan.a.rs, plan.a.cs],
            offset: plan.a.offset as usize,
        },
        Layout {
            shape: vec![plan.k, plan.n],
            strides: vec![plan.b.rs, plan.b.cs],
            offset: plan.b.offset as usize,
        },
        Layout {
            shape: vec![plan.m, plan.n],
            strides: vec![plan.n as isize, 1],
            offset: c_off,
        },
    ];
    let size = T::DTYPE.size() as u64;
    let win = crate::kernel::run::binding_windows(&ls, &binding, bufs.len(), size, g.binding_align);
    if win.iter().all(|&(_, bytes)| bytes <= g.max_binding) {
        let shift = |j: usize| (win[binding[j]].0 / size) as isize;
        let mut p = plan.clone();
        p.a.offset -= shift(0);
        p.b.offset -= shift(1);
        let c = (c_off as isize - shift(2)) as usize;
        if !vec4_ok(&p, c) && variant == Variant::RegisterVec4 {
            // Windows start on 256-byte boundaries, so alignment holds.
            return Err(big());
        }
        let meta = gpu_meta(&p, c)?;
        let windows = bufs
            .iter()
            .zip(&win)
            .map(|(b, &(off, bytes))| (b.clone(), off, bytes))
            .collect();
        return g.dispatch_windows(pipeline, windows, &meta, groups);
    }
    if plan.m < 2 {
        return Err(big());
    }
    let h = plan.m / 2;
    for (r0, r1) in [(0, h), (h, plan.m)] {
        let mut p = plan.clone();
        p.m = r1 - r0;
        p.a.offset += r0 as isize * plan.a.rs;
        gpu_product::<T>(g, &p, s, c_off + r0 * plan.n, kernel)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every variant, dtype and binding pattern is valid WGSL (naga), so a
    /// shader error shows here and not on a user's GPU.
    #[test]
    fn shaders_validate() {
        for v in Variant::ALL {
            for d in [DType::F32, DType::I32, DType::U32] {
                for (binding, n) in [
                    ([1, 2, 0], 3),
                    ([1, 1, 0], 2),
                    ([0, 1, 0], 2),
                    ([1, 0, 0], 2),
                ] {
                    let src = source(v, d, &binding, n);
                    crate::device::gpu::validate_wgsl(&src)
                        .unwrap_or_else(|e| panic!("{v:?} {d:?}: {e}"));
                }
            }
        }
    }

    #[test]
    fn plan_shapes_and_broadcast_strides() {
        let a = Layout::contiguous(&[2, 1, 3, 4]);
        let b = Layout::contiguous(&[5, 4, 6]);
        let p = Plan::new(&a, &b).unwrap();
        assert_eq!(p.out_shape, vec![2, 5, 3, 6]);
        assert_eq!(p.a.batch_strides, vec![12, 0]);
        assert_eq!(p.b.batch_strides, vec![0, 24]);
        let v = Layout::contiguous(&[4]);
        assert_eq!(Plan::new(&v, &b).unwrap().out_shape, vec![5, 6]);
        assert_eq!(Plan::new(&a, &v).unwrap().out_shape, vec![2, 1, 3]);
        assert_eq!(Plan::new(&v, &v).unwrap().out_shape, Vec::<usize>::new());
    }
}
