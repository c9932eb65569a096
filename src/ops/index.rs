//! Integer indexing: `take` and `take_along_axis` as one gather kernel of
//! the kernel IR (an index node and an input read at a moved position),
//! and the scatters `put_along_axis` and `index_add` (NumPy's `add.at`).

use crate::array::Array;
use crate::element::{DType, Element, Integer, Number};
use crate::error::{Error, Result};
use crate::kernel::Op;
use crate::layout::{broadcast_shapes, Layout};
use crate::ops::elementwise::{BinaryOp, Builder, CmpOp};

/// NumPy's `AxisError` message, or the axis.
pub(crate) fn check_axis(axis: usize, ndim: usize) -> Result<usize> {
    crate::ops::shape::check_axis(axis, ndim, "").map(|()| axis)
}

/// Checks every index against an axis of length `n` (negative ones count
/// from the end), with NumPy's `IndexError` for the first one out of range
/// in C order. Reads two values back (a min and a max), and the indices
/// only when one is out of range.
fn check_indices<I: Integer>(idx: &Array<I>, axis: usize, n: usize) -> Result<()> {
    if idx.is_empty() {
        return Ok(());
    }
    let lo = idx.min(crate::Axes::All, false)?.item()?.to_f64();
    let hi = idx.max(crate::Axes::All, false)?.item()?.to_f64();
    let bad = |v: f64| v >= n as f64 || v < -(n as f64);
    if !bad(lo) && !bad(hi) {
        return Ok(());
    }
    let first = idx
        .to_vec()?
        .into_iter()
        .map(|v| v.to_f64())
        .find(|&v| bad(v))
        .unwrap_or(hi);
    Err(Error::Index(format!(
        "index {first} is out of bounds for axis {axis} with size {n}"
    )))
}

/// An index as a signed offset along an axis of length `n`: negative ones
/// count from the end.
#[inline]
fn wrap<I: Integer>(x: I, n: isize) -> isize {
    let v = x.to_bits32();
    let i = if I::DTYPE == DType::I32 {
        v as i32 as isize
    } else {
        v as isize
    };
    if i < 0 {
        i + n
    } else {
        i
    }
}

/// Calls `f` with the indices of a CPU array in C order (read in place
/// when contiguous), after checking them all against an axis of length
/// `n` in one pass (NumPy's message for the first index out of range).
fn with_host_indices<I: Integer, R>(
    idx: &Array<I>,
    axis: usize,
    n: usize,
    f: impl FnOnce(&[I]) -> R,
) -> Result<R> {
    let crate::device::Storage::Cpu(s) = &idx.storage else {
        unreachable!("called for CPU arrays")
    };
    let g = crate::device::cpu::read(s);
    let all = bytemuck::cast_slice::<u64, I>(&g);
    let owned;
    let v: &[I] = if idx.layout.is_c_contiguous() {
        &all[idx.offset()..idx.offset() + idx.len()]
    } else {
        let mut o = vec![I::default(); idx.len()];
        crate::device::cpu::gather_into(all, &idx.layout, &mut o);
        owned = o;
        &owned
    };
    let n = n as isize;
    let bad = |x: &I| !(0..n).contains(&wrap(*x, n));
    if v.iter().fold(false, |acc, x| acc | bad(x)) {
        let first = v.iter().find(|x| bad(x)).map_or(0.0, |x| x.to_f64());
        return Err(Error::Index(format!(
            "index {first} is out of bounds for axis {axis} with size {n}"
        )));
    }
    Ok(f(v))
}

/// Offsets, relative to the first, of the elements of a block of `shape`
/// and `strides`, in C order.
fn block_offsets(shape: &[usize], strides: &[isize]) -> Vec<isize> {
    let l = Layout {
        shape: shape.to_vec(),
        strides: strides.to_vec(),
        offset: 0,
    };
    let mut w = crate::device::cpu::Walker::new(&l, 0);
    (0..l.size()).map(|_| w.next() as isize).collect()
}

impl<T: Element> Array<T> {
    /// `out = src[..., idx, ...]` along `axis`, where `src` and `idx` are
    /// already laid out over `out`'s shape: `src` with stride 0 where the
    /// index varies, `idx` broadcast. One gather kernel.
    fn gather<I: Integer>(
        src: &Array<T>,
        idx: &Array<I>,
        axis_len: usize,
        step: isize,
        shape: &[usize],
    ) -> Result<Array<T>> {
        let out = Array::<T>::uninit(&src.device, shape)?;
        let mut k = Builder::default();
        k.inputs.push(src.operand());
        let i = k.input(idx);
        let i = if I::DTYPE == DType::I32 {
            i
        } else {
            k.node(Op::Cast(i), DType::I32)
        };
        // Negative indices count from the end.
        let zero = k.scalar(0i32);
        let n = k.scalar(axis_len as i32);
        let neg = k.node(Op::Cmp(CmpOp::Lt, i, zero), DType::Bool);
        let up = k.node(Op::Binary(BinaryOp::Add, i, n), DType::I32);
        let i = k.node(Op::Select(neg, up, i), DType::I32);
        let st = k.scalar(step as i32);
        k.node(Op::Gather(0, i, st), T::DTYPE);
        out.fresh(|out| out.apply(&k))
    }

    /// `self[idx]` for a 1-D `self` and indices known to be in range (a
    /// sort's permutation): the gather without the check's readback.
    pub(crate) fn take_unchecked(&self, idx: &Array<u32>) -> Result<Array<T>> {
        debug_assert_eq!(self.ndim(), 1);
        let n = self.len();
        let src = Layout {
            shape: idx.shape().to_vec(),
            strides: vec![0; idx.ndim()],
            offset: self.offset(),
        };
        Self::gather(&self.view(src), idx, n, self.strides()[0], idx.shape())
    }

    /// NumPy's `np.take(a, idx, axis)`: the elements at the integer
    /// indices `idx` along `axis` (negative indices count from the end);
    /// `axis = None` takes from the flattened array. The result's shape is
    /// `a.shape[:axis] + idx.shape + a.shape[axis+1:]`. One gather kernel
    /// on either backend, reading `a` in place through any view.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_vec(&dev, (0..12).collect::<Vec<i32>>(), &[3, 4])?;
    /// let idx = Array::from_slice(&dev, &[0, -1], &[2])?;
    /// let t = a.take(&idx, Some(1))?; // np.take(a, [0, -1], axis=1)
    /// assert_eq!(t.shape(), &[3, 2]);
    /// assert_eq!(t.to_vec()?, vec![0, 3, 4, 7, 8, 11]);
    /// assert_eq!(a.take(&idx, None)?.to_vec()?, vec![0, 11]); // np.take(a, [0, -1])
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// An index out of range (NumPy's `IndexError` message: `index 5 is
    /// out of bounds for axis 1 with size 4`); an axis out of range;
    /// arrays on different devices. Nothing is allocated on error.
    #[track_caller]
    pub fn take<I: Integer>(&self, idx: &Array<I>, axis: Option<usize>) -> Result<Array<T>> {
        self.check_same_device(idx)?;
        let Some(axis) = axis else {
            let flat = if self.layout.is_c_contiguous() {
                self.reshape(&[self.len()])?
            } else {
                self.copy()?.reshape(&[self.len()])?
            };
            return flat.take(idx, Some(0));
        };
        let axis = check_axis(axis, self.ndim())?;
        let n = self.shape()[axis];
        if let crate::device::Storage::Cpu(_) = self.storage {
            let idx = if idx.storage.same(&self.storage) {
                &idx.copy()?
            } else {
                idx
            };
            return with_host_indices(idx, axis, n, |ix| self.take_cpu(ix, idx.shape(), axis))?;
        }
        check_indices(idx, axis, n)?;
        // The output's shape: the axis replaced by the index array's.
        let (pre, post) = (&self.shape()[..axis], &self.shape()[axis + 1..]);
        let shape: Vec<usize> = [pre, idx.shape(), post].concat();
        let k = idx.ndim();
        // `self` seen over the output: stride 0 along the index dims.
        let st = self.strides();
        let src = Layout {
            shape: shape.clone(),
            strides: [&st[..axis], &vec![0; k][..], &st[axis + 1..]].concat(),
            offset: self.offset(),
        };
        // The indices seen over the output: stride 0 along a's other dims.
        let is = idx.strides();
        let il = Layout {
            shape: shape.clone(),
            strides: [&vec![0; axis][..], is, &vec![0; post.len()][..]].concat(),
            offset: idx.offset(),
        };
        if shape.iter().product::<usize>() == 0 || n == 0 {
            return Array::uninit(&self.device, &shape);
        }
        Self::gather(&self.view(src), &idx.view(il), n, st[axis], &shape)
    }

    /// `take` on the CPU backend: for every (outer position, index) one
    /// run of the inner axes, a `memcpy` where they are contiguous, split
    /// across ndgpu's threads.
    fn take_cpu<I: Integer>(
        &self,
        idx: &[I],
        idx_shape: &[usize],
        axis: usize,
    ) -> Result<Array<T>> {
        use rayon::prelude::*;
        let (pre, post) = (&self.shape()[..axis], &self.shape()[axis + 1..]);
        let shape: Vec<usize> = [pre, idx_shape, post].concat();
        let out = Array::<T>::uninit(&self.device, &shape)?;
        let q: usize = post.iter().product();
        if out.is_empty() {
            return Ok(out);
        }
        let st = self.strides();
        let pre_offs = block_offsets(pre, &st[..axis]);
        let post_offs = block_offsets(post, &st[axis + 1..]);
        let dense = post_offs.iter().enumerate().all(|(k, &o)| o == k as isize);
        let (step, base) = (st[axis], self.offset() as isize);
        let (crate::device::Storage::Cpu(s), crate::device::Storage::Cpu(os)) =
            (&self.storage, &out.storage)
        else {
            unreachable!("a CPU array allocates on the CPU")
        };
        let g = crate::device::cpu::read(s);
        let src = bytemuck::cast_slice::<u64, T::Repr>(&g);
        let mut og = crate::device::cpu::lock(os);
        let dst = &mut bytemuck::cast_slice_mut::<u64, T::Repr>(&mut og)[..out.len()];
        let j = idx.len();
        let n = self.shape()[axis] as isize;
        // Runs per task: about 32K elements.
        let per = (32768 / q).max(1);
        crate::device::cpu::exec(|| {
            dst.par_chunks_mut(per * q)
                .enumerate()
                .for_each(|(c, chunk)| {
                    // (outer position, index) of the chunk's first run, then
                    // counted up: no division per run.
                    let (mut pi, mut ji) = ((c * per) / j, (c * per) % j);
                    for row in chunk.chunks_mut(q) {
                        let at = base + pre_offs[pi] + wrap(idx[ji], n) * step;
                        if dense {
                            row.copy_from_slice(&src[at as usize..at as usize + q]);
                        } else {
                            for (y, &o) in row.iter_mut().zip(&post_offs) {
                                *y = src[(at + o) as usize];
                            }
                        }
                        ji += 1;
                        if ji == j {
                            ji = 0;
                            pi += 1;
                        }
                    }
                })
        });
        drop(og);
        Ok(out)
    }

    /// What `take_along_axis` and `put_along_axis` share: the checked
    /// axis, its length, the shape of the indices broadcast against `self`
    /// on the other axes, and `self` laid out over that shape with stride 0
    /// along `axis` (the index supplies the position there).
    fn along_axis<I: Integer>(
        &self,
        idx: &Array<I>,
        axis: usize,
    ) -> Result<(usize, usize, Vec<usize>, Layout)> {
        self.check_same_device(idx)?;
        if idx.ndim() != self.ndim() {
            return Err(Error::Value(
                "`indices` and `arr` must have the same number of dimensions".into(),
            ));
        }
        let axis = check_axis(axis, self.ndim())?;
        let mut a_shape = self.shape().to_vec();
        a_shape[axis] = 1;
        let mut i_shape = idx.shape().to_vec();
        i_shape[axis] = 1;
        let mut shape = broadcast_shapes(&[&a_shape, &i_shape])?;
        shape[axis] = idx.shape()[axis];
        let mut al = self.layout.clone();
        al.shape[axis] = 1;
        let mut over = al.broadcast_to(&shape)?;
        over.strides[axis] = 0;
        Ok((axis, self.shape()[axis], shape, over))
    }

    /// NumPy's `np.take_along_axis(a, idx, axis)`: `out[i, j, k] =
    /// a[i, idx[i, j, k], k]` for `axis = 1`; `idx` has `a`'s number of
    /// dimensions and broadcasts against it on the other axes (as
    /// `argsort`'s or `argmax(keepdims=True)`'s result does). One gather
    /// kernel.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_vec(&dev, (0..12).collect::<Vec<i32>>(), &[3, 4])?;
    /// let idx = Array::from_slice(&dev, &[0, 3, -1], &[3, 1])?;
    /// // np.take_along_axis(a, [[0], [3], [-1]], axis=1)
    /// assert_eq!(a.take_along_axis(&idx, 1)?.to_vec()?, vec![0, 7, 11]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// `idx` with another number of dimensions (NumPy's message); shapes
    /// that do not broadcast; an index out of range; an axis out of range.
    #[track_caller]
    pub fn take_along_axis<I: Integer>(&self, idx: &Array<I>, axis: usize) -> Result<Array<T>> {
        let (axis, n, shape, src) = self.along_axis(idx, axis)?;
        check_indices(idx, axis, n)?;
        let il = idx.layout.broadcast_to(&shape)?;
        if shape.iter().product::<usize>() == 0 || n == 0 {
            return Array::uninit(&self.device, &shape);
        }
        Self::gather(
            &self.view(src),
            &idx.view(il),
            n,
            self.strides()[axis],
            &shape,
        )
    }
}

/// What a scatter does at each target.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scatter {
    /// `a[t] = v` (the last write wins on the CPU; one of them on the GPU).
    Put,
    /// `a[t] += v`, every duplicate counted (atomics on the GPU).
    Add,
}

impl<T: Element> Array<T> {
    /// The indices laid out over the update shape, wrapped into `0..n` as
    /// `i32`, in a fresh contiguous array (one IR kernel).
    fn wrapped_indices<I: Integer>(idx: &Array<I>, n: usize) -> Result<Array<i32>> {
        let out = Array::<i32>::uninit(&idx.device, idx.shape())?;
        let mut k = Builder::default();
        let i = k.input(idx);
        let i = if I::DTYPE == DType::I32 {
            i
        } else {
            k.node(Op::Cast(i), DType::I32)
        };
        let zero = k.scalar(0i32);
        let len = k.scalar(n as i32);
        let neg = k.node(Op::Cmp(CmpOp::Lt, i, zero), DType::Bool);
        let up = k.node(Op::Binary(BinaryOp::Add, i, len), DType::I32);
        k.node(Op::Select(neg, up, i), DType::I32);
        out.fresh(|out| out.apply(&k))
    }

    /// `self[..., idx[e], ...] (op)= src[e]` for every `e` of the update
    /// shape, `dst` being `self` laid out over that shape with stride 0
    /// along the index dims and `step` the scattered axis' stride.
    fn scatter(
        &self,
        dst: &Layout,
        idx: &Array<i32>,
        src: &Array<T>,
        step: isize,
        mode: Scatter,
        combine: impl Fn(T::Repr, T::Repr) -> T::Repr,
    ) -> Result<()> {
        use crate::device::Storage;
        let n = dst.size();
        if n == 0 {
            return Ok(());
        }
        // Contiguous sources, apart from `self`'s buffer.
        let src = if src.layout.is_c_contiguous() && !src.storage.same(&self.storage) {
            src.clone()
        } else {
            src.copy()?
        };
        match &self.storage {
            Storage::Cpu(s) => {
                let (Storage::Cpu(is), Storage::Cpu(ss)) = (&idx.storage, &src.storage) else {
                    unreachable!("arrays on one device")
                };
                let ig = crate::device::cpu::read(is);
                let sg = crate::device::cpu::read(ss);
                let ix = &bytemuck::cast_slice::<u64, i32>(&ig)[idx.offset()..idx.offset() + n];
                let sv = &bytemuck::cast_slice::<u64, T::Repr>(&sg)[src.offset()..src.offset() + n];
                let mut g = crate::device::cpu::lock(s);
                let buf = bytemuck::cast_slice_mut::<u64, T::Repr>(&mut g);
                let mut w = crate::device::cpu::Walker::new(dst, 0);
                for (&i, &v) in ix.iter().zip(sv) {
                    let t = (w.next() as isize + i as isize * step) as usize;
                    buf[t] = combine(buf[t], v);
                }
                Ok(())
            }
            Storage::Gpu(s) => {
                self.device.check_words(
                    T::DTYPE,
                    "GPU put_along_axis and index_add take 32-bit elements; convert with astype first, or use Device::cpu()",
                )?;
                let (Storage::Gpu(is), Storage::Gpu(ss)) = (&idx.storage, &src.storage) else {
                    unreachable!("arrays on one device")
                };
                let gpu = self.gpu();
                let ty = T::DTYPE.wgsl().unwrap_or("f32");
                let name = format!(
                    "scatter|{}|{ty}",
                    if mode == Scatter::Put { "put" } else { "add" }
                );
                let pipe = gpu.pipeline(&name, || scatter_source(mode, T::DTYPE), 3)?;
                let mut meta = vec![
                    n as u32,
                    dst.ndim() as u32,
                    step as i32 as u32,
                    idx.offset() as u32,
                    src.offset() as u32,
                ];
                meta.extend(dst.shape.iter().map(|&d| d as u32));
                meta.extend(crate::device::gpu::layout_words(dst)?);
                gpu.dispatch(
                    pipe,
                    vec![s.clone(), is.clone(), ss.clone()],
                    &meta,
                    n as u64,
                    256,
                )
            }
        }
    }

    /// NumPy's `np.put_along_axis(a, idx, values, axis)`: `a[i, idx[i, j,
    /// k], k] = values[i, j, k]` for `axis = 1`, in place through any
    /// writeable view. `idx` has `a`'s number of dimensions and broadcasts
    /// against it on the other axes; `values` broadcasts to that shape.
    /// Where an index repeats, the CPU backend keeps the last value in C
    /// order (as NumPy); the GPU keeps one of them.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::<i32>::zeros(&dev, &[2, 3])?;
    /// let idx = Array::from_slice(&dev, &[2, 0], &[2, 1])?;
    /// let v = Array::from_slice(&dev, &[7], &[1, 1])?;
    /// a.put_along_axis(&idx, &v, 1)?; // np.put_along_axis(a, [[2], [0]], 7, axis=1)
    /// assert_eq!(a.to_vec()?, vec![0, 0, 7, 7, 0, 0]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// A read-only `self`; `idx` with another number of dimensions;
    /// shapes that do not broadcast; an index out of range (nothing is
    /// written); arrays on different devices.
    pub fn put_along_axis<I: Integer>(
        &self,
        idx: &Array<I>,
        values: &Array<T>,
        axis: usize,
    ) -> Result<()> {
        self.check_writeable()?;
        self.check_same_device(values)?;
        let (axis, n, shape, dst) = self.along_axis(idx, axis)?;
        let vals = values.broadcast_to(&shape)?;
        check_indices(idx, axis, n)?;
        if shape.iter().product::<usize>() == 0 {
            return Ok(());
        }
        let ix = Self::wrapped_indices(&idx.broadcast_to(&shape)?, n)?;
        self.scatter(
            &dst,
            &ix,
            &vals,
            self.strides()[axis],
            Scatter::Put,
            |_, v| v,
        )
    }
}

impl<T: Number> Array<T> {
    /// NumPy's `np.add.at(a, (slice(None),) * axis + (idx,), src)`:
    /// `a[..., idx[j], ...] += src[..., j, ...]` along `axis`, in place
    /// through any writeable view, with every duplicate index counted (the
    /// GPU adds with atomics; f32 sums of duplicates may then differ from
    /// the CPU's in the last bits, as their order differs). `src`
    /// broadcasts to `a.shape[:axis] + idx.shape + a.shape[axis+1:]`.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let bins = Array::<f32>::zeros(&dev, &[3])?;
    /// let idx = Array::from_slice(&dev, &[0, 2, 0, -1], &[4])?;
    /// let w = Array::from_slice(&dev, &[1.0f32, 2.0, 3.0, 4.0], &[4])?;
    /// bins.index_add(0, &idx, &w)?; // np.add.at(bins, idx, w)
    /// assert_eq!(bins.to_vec()?, vec![4.0, 0.0, 6.0]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// A read-only `self`; an index out of range (nothing is written);
    /// `src` that does not broadcast; an axis out of range; arrays on
    /// different devices.
    pub fn index_add<I: Integer>(&self, axis: usize, idx: &Array<I>, src: &Array<T>) -> Result<()> {
        self.check_writeable()?;
        self.check_same_device(idx)?;
        self.check_same_device(src)?;
        let axis = check_axis(axis, self.ndim())?;
        let n = self.shape()[axis];
        let (pre, post) = (&self.shape()[..axis], &self.shape()[axis + 1..]);
        let shape: Vec<usize> = [pre, idx.shape(), post].concat();
        let vals = src.broadcast_to(&shape)?;
        if let crate::device::Storage::Cpu(_) = self.storage {
            let idx = if idx.storage.same(&self.storage) {
                &idx.copy()?
            } else {
                idx
            };
            return with_host_indices(idx, axis, n, |ix| self.index_add_cpu(ix, &vals, axis))?;
        }
        check_indices(idx, axis, n)?;
        let k = idx.ndim();
        let st = self.strides();
        let dst = Layout {
            shape: shape.clone(),
            strides: [&st[..axis], &vec![0; k][..], &st[axis + 1..]].concat(),
            offset: self.offset(),
        };
        if shape.iter().product::<usize>() == 0 {
            return Ok(());
        }
        let il = Layout {
            shape: shape.clone(),
            strides: [&vec![0; axis][..], idx.strides(), &vec![0; post.len()][..]].concat(),
            offset: idx.offset(),
        };
        let ix = Self::wrapped_indices(&idx.view(il), n)?;
        self.scatter(&dst, &ix, &vals, st[axis], Scatter::Add, T::add_)
    }
}

impl<T: Number> Array<T> {
    /// `index_add` on the CPU backend: one pass in C order over the
    /// updates (`vals`, laid out over the update shape), so duplicates add
    /// up in NumPy's order.
    fn index_add_cpu<I: Integer>(&self, idx: &[I], vals: &Array<T>, axis: usize) -> Result<()> {
        let (pre, post) = (&self.shape()[..axis], &self.shape()[axis + 1..]);
        let q: usize = post.iter().product();
        let (p, j) = (pre.iter().product::<usize>(), idx.len());
        if p * j * q == 0 {
            return Ok(());
        }
        // The values contiguous and apart from `self`'s buffer.
        let vals = if vals.layout.is_c_contiguous() && !vals.storage.same(&self.storage) {
            vals.clone()
        } else {
            vals.copy()?
        };
        let st = self.strides();
        let pre_offs = block_offsets(pre, &st[..axis]);
        let post_offs = block_offsets(post, &st[axis + 1..]);
        let (step, base) = (st[axis], self.offset() as isize);
        let n = self.shape()[axis] as isize;
        let (crate::device::Storage::Cpu(s), crate::device::Storage::Cpu(vs)) =
            (&self.storage, &vals.storage)
        else {
            unreachable!("arrays on one CPU device")
        };
        let vg = crate::device::cpu::read(vs);
        let v = &bytemuck::cast_slice::<u64, T>(&vg)[vals.offset()..vals.offset() + p * j * q];
        let mut g = crate::device::cpu::lock(s);
        let buf = bytemuck::cast_slice_mut::<u64, T>(&mut g);
        if q == 1 && p == 1 {
            // The histogram case: one index per value.
            for (&i, &x) in idx.iter().zip(v) {
                let t = (base + wrap(i, n) * step) as usize;
                buf[t] = buf[t].add_(x);
            }
            return Ok(());
        }
        let (mut pi, mut ji) = (0, 0);
        for row in v.chunks(q) {
            let at = base + pre_offs[pi] + wrap(idx[ji], n) * step;
            for (&x, &o) in row.iter().zip(&post_offs) {
                let t = (at + o) as usize;
                buf[t] = buf[t].add_(x);
            }
            ji += 1;
            if ji == j {
                ji = 0;
                pi += 1;
            }
        }
        Ok(())
    }
}

/// The scatter kernel: one invocation per update, walking the update shape
/// for the target's offset as the elementwise kernels do. Metadata: n,
/// rank, step, idx offset, src offset, the shape, then the target's offset
/// and strides (stride 0 along the index dims).
fn scatter_source(mode: Scatter, d: DType) -> String {
    let ty = d.wgsl().unwrap_or("f32");
    let store = match (mode, d) {
        (Scatter::Put, _) => "atomicStore(&b0[t], v);".to_string(),
        (Scatter::Add, DType::F32) => "var old = atomicLoad(&b0[t]);
        loop {
            let r = atomicCompareExchangeWeak(&b0[t], old, bitcast<u32>(bitcast<f32>(old) + bitcast<f32>(v)));
            if (r.exchanged) { break; }
            old = r.old_value;
        }"
        .to_string(),
        // Two's complement: one add of the bits serves i32 and u32.
        (Scatter::Add, _) => "atomicAdd(&b0[t], v);".to_string(),
    };
    format!(
        "// scatter ({ty})
@group(0) @binding(0) var<storage, read> md: array<u32>;
@group(0) @binding(1) var<storage, read_write> b0: array<atomic<u32>>;
@group(0) @binding(2) var<storage, read> ix: array<i32>;
@group(0) @binding(3) var<storage, read> src: array<u32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {{
    let e = gid.x + gid.y * nwg.x * 256u;
    let n = md[0];
    if (e >= n) {{ return; }}
    let rank = md[1];
    let step = bitcast<i32>(md[2]);
    let sh = 5u;
    let lw = sh + rank;
    var o = bitcast<i32>(md[lw]);
    var rem = e;
    for (var j = rank; j > 0u; j = j - 1u) {{
        let dim = md[sh + j - 1u];
        o = o + i32(rem % dim) * bitcast<i32>(md[lw + j]);
        rem = rem / dim;
    }}
    let t = u32(o + ix[md[3] + e] * step);
    let v = src[md[4] + e];
    {store}
}}
"
    )
}
