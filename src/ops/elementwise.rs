//! The elementwise engine: `out = f(a, b, c)` over any strided views, with
//! NumPy's broadcasting and overlap rules, on both backends.

use crate::array::Array;
use crate::device::cpu::{self, Src};
use crate::device::gpu::{EwKernel, KArg};
use crate::device::Storage;
use crate::element::Element;
use crate::error::{fmt_shape, Error, Result};
use crate::layout::{broadcast_shapes, Layout};

/// One argument of an elementwise op.
pub(crate) enum Arg<'a, T: Element> {
    /// An array, broadcast to the output's shape.
    Arr(&'a Array<T>),
    /// A value for every element.
    Scalar(T),
    /// No argument (unary and nullary ops).
    None,
}

impl<T: Element> Arg<'_, T> {
    fn array(&self) -> Option<&Array<T>> {
        match self {
            Arg::Arr(a) => Some(a),
            _ => None,
        }
    }
}

/// An array argument resolved for a kernel: storage, and its layout broadcast
/// to the output's shape.
struct Resolved<T: Element> {
    arr: Array<T>,
    layout: Layout,
}

/// The shape an op's arrays broadcast to, with NumPy's message.
pub(crate) fn result_shape(shapes: &[&[usize]]) -> Result<Vec<usize>> {
    broadcast_shapes(shapes)
}

impl<O: Element> Array<O> {
    /// Checks that `self` can take a result of `shape` (NumPy's `out=` rule).
    pub(crate) fn check_out_shape(&self, shape: &[usize]) -> Result<()> {
        let ok = broadcast_shapes(&[self.shape(), shape]).is_ok_and(|s| s == self.shape());
        if ok {
            Ok(())
        } else {
            Err(Error::Shape(format!(
                "non-broadcastable output operand with shape {} doesn't match the broadcast shape {}",
                fmt_shape(self.shape()),
                fmt_shape(&broadcast_shapes(&[self.shape(), shape]).unwrap_or_else(|_| shape.to_vec()))
            )))
        }
    }

    fn resolve<T: Element>(&self, a: &Arg<'_, T>) -> Result<Option<Resolved<T>>> {
        let Some(arr) = a.array() else { return Ok(None) };
        if !arr.device.same(&self.device) {
            return Err(Error::DeviceMismatch(
                arr.device.info().name.clone(),
                self.device.info().name.clone(),
            ));
        }
        let layout = arr.layout.broadcast_to(self.shape())?;
        // NumPy's overlap rule: an input that overlaps the output through a
        // different layout is read as if copied first. Identical layouts
        // (`a += a`) read each element before writing it, so need no copy.
        // The CPU kernel reads an input in the output's buffer through the
        // output itself, so there any other layout in that buffer is copied.
        let overlaps = match self.storage {
            Storage::Cpu(_) => true,
            Storage::Gpu(_) => layout.may_overlap(&self.layout),
        };
        if arr.storage.same(&self.storage) && layout != self.layout && overlaps {
            let tmp = arr.copy()?;
            let layout = tmp.layout.broadcast_to(self.shape())?;
            return Ok(Some(Resolved { arr: tmp, layout }));
        }
        Ok(Some(Resolved { arr: arr.clone(), layout }))
    }

    /// `self[...] = f(a, b, c)`, elementwise. `wgsl` is the same function as
    /// WGSL over `a`, `b`, `c` (see [`EwKernel`]).
    ///
    /// # Errors
    /// Read-only output; shapes that do not broadcast; arrays on different devices.
    pub(crate) fn ew<A, B, C, F>(&self, a: Arg<'_, A>, b: Arg<'_, B>, c: Arg<'_, C>, wgsl: &str, f: F) -> Result<()>
    where
        A: Element,
        B: Element,
        C: Element,
        F: Fn(A, B, C) -> O + Sync,
    {
        self.check_writeable()?;
        let shapes: Vec<&[usize]> = [a.array().map(|x| x.shape()), b.array().map(|x| x.shape()), c.array().map(|x| x.shape())]
            .into_iter()
            .flatten()
            .collect();
        let shape = broadcast_shapes(&shapes)?;
        self.check_out_shape(&shape)?;
        let (ra, rb, rc) = (self.resolve(&a)?, self.resolve(&b)?, self.resolve(&c)?);
        match &self.storage {
            Storage::Cpu(out) => {
                // Lock each distinct buffer once, in id order (no deadlock, no
                // double lock); inputs in the output's buffer read through it.
                let mut bufs: Vec<&cpu::CpuStorage> = vec![out];
                let mut which = [usize::MAX; 3];
                let stor = [ra.as_ref().map(|r| &r.arr.storage), rb.as_ref().map(|r| &r.arr.storage), rc.as_ref().map(|r| &r.arr.storage)];
                for (j, s) in stor.iter().enumerate() {
                    if let Some(Storage::Cpu(s)) = s {
                        which[j] = match bufs.iter().position(|b| std::sync::Arc::ptr_eq(b, s)) {
                            Some(i) => i,
                            None => {
                                bufs.push(s);
                                bufs.len() - 1
                            }
                        };
                    }
                }
                let mut order: Vec<usize> = (0..bufs.len()).collect();
                order.sort_by_key(|&i| bufs[i].id());
                let mut guards: Vec<Option<std::sync::MutexGuard<'_, Vec<u64>>>> = (0..bufs.len()).map(|_| None).collect();
                for i in order {
                    guards[i] = Some(cpu::lock(bufs[i]));
                }
                let (first, rest) = guards.split_first_mut().expect("the output is always locked");
                let outw: &mut [u64] = first.as_mut().expect("locked above");
                let ins: Vec<&[u64]> = rest.iter().map(|g| &g.as_ref().expect("locked above")[..]).collect();
                fn src<'s, T: Element>(arg: &Arg<'_, T>, r: &'s Option<Resolved<T>>, w: usize, ins: &[&'s [u64]]) -> Src<'s, T> {
                    match (arg, r) {
                        (Arg::Scalar(v), _) => Src::Scalar(*v),
                        (_, Some(_)) if w == 0 => Src::Out,
                        (_, Some(r)) => Src::Buf(bytemuck::cast_slice(ins[w - 1]), &r.layout),
                        _ => Src::Scalar(T::zero()),
                    }
                }
                cpu::map3(
                    bytemuck::cast_slice_mut::<u64, O>(outw),
                    &self.layout,
                    &src(&a, &ra, which[0], &ins),
                    &src(&b, &rb, which[1], &ins),
                    &src(&c, &rc, which[2], &ins),
                    &f,
                );
                Ok(())
            }
            Storage::Gpu(out) => {
                let mut operands = vec![(out, &self.layout)];
                let mut kargs = Vec::new();
                let mut scalars = [0u32; 3];
                push_karg(&a, &ra, 0, &mut operands, &mut kargs, &mut scalars);
                push_karg(&b, &rb, 1, &mut operands, &mut kargs, &mut scalars);
                push_karg(&c, &rc, 2, &mut operands, &mut kargs, &mut scalars);
                let k = EwKernel { expr: wgsl, out: O::DTYPE, args: &kargs, scalars };
                self.gpu().elementwise(&k, &operands)
            }
        }
    }
}

fn push_karg<'a, T: Element>(
    a: &Arg<'_, T>,
    r: &'a Option<Resolved<T>>,
    slot: usize,
    operands: &mut Vec<(&'a crate::device::gpu::GpuStorage, &'a Layout)>,
    kargs: &mut Vec<KArg>,
    scalars: &mut [u32; 3],
) {
    match (a, r) {
        (Arg::Scalar(v), _) => {
            scalars[slot] = v.to_bits32();
            kargs.push(KArg::Scalar(T::DTYPE, slot));
        }
        (_, Some(r)) => {
            let Storage::Gpu(s) = &r.arr.storage else {
                unreachable!("device equality was checked")
            };
            operands.push((s, &r.layout));
            kargs.push(KArg::Operand(T::DTYPE, operands.len() - 1));
        }
        _ => {}
    }
}
