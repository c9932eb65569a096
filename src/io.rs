//! Files and bytes: NumPy's `.npy` and `.npz`, raw bytes, and (with the
//! `safetensors` feature) safetensors files.
//!
//! A file holds one dtype chosen at run time, so the loaders return an
//! [`AnyArray`] (one variant per dtype); [`load_npy_as`] and
//! [`AnyArray::into_typed`] give a typed [`Array`]. The savers take any
//! array, or a list of `(name, &array)` pairs of mixed dtypes.
//!
//! How the bytes move: npyz parses and writes the `.npy` header, and ndgpu
//! moves the data itself. On the CPU backend a load reads the file straight
//! into the array's buffer (no other copy); on a GPU it reads into one host
//! buffer and uploads that. Big-endian files are byte-swapped in place; a
//! Fortran-order file becomes an array with Fortran strides over the file's
//! bytes (no transpose). Saving writes the logical C-order contents of any
//! view; a C-contiguous array on the CPU backend is written from its buffer
//! directly.
//!
//! Every error names the file and what was wrong, and a failed load leaves
//! no array behind.

use std::any::Any;
use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::Path;

use bytemuck::Zeroable;

use crate::array::Array;
use crate::device::{Device, Storage};
use crate::element::{DType, Element};
use crate::error::{fmt_shape, Error, Result};
use crate::layout::checked_size;

#[cfg(feature = "safetensors")]
pub use crate::interop::{load_safetensors, load_safetensors_subset, save_safetensors};

/// An array whose dtype is known only at run time, as a loader returns it.
///
/// ```
/// use ndgpu::io::AnyArray;
/// use ndgpu::{Array, DType, Device};
/// let dev = Device::cpu();
/// let any = AnyArray::from(Array::from_slice(&dev, &[1.5f32, 2.5], &[2])?);
/// assert_eq!(any.dtype(), DType::F32); // a.dtype
/// let a: Array<f32> = any.into_typed()?;
/// assert_eq!(a.to_vec()?, vec![1.5, 2.5]);
/// # Ok::<(), ndgpu::Error>(())
/// ```
#[derive(Clone, Debug)]
pub enum AnyArray {
    /// `float32`
    F32(Array<f32>),
    /// `float64`
    F64(Array<f64>),
    /// `int32`
    I32(Array<i32>),
    /// `uint32`
    U32(Array<u32>),
    /// `int64` (on a GPU, with `SHADER_INT64`)
    I64(Array<i64>),
    /// `uint8`
    U8(Array<u8>),
    /// `float16`
    F16(Array<half::f16>),
    /// `bool`
    Bool(Array<bool>),
}

/// Runs `$body` with `$a` bound to the typed array inside an [`AnyArray`].
macro_rules! each {
    ($any:expr, $a:ident => $body:expr) => {
        match $any {
            AnyArray::F32($a) => $body,
            AnyArray::F64($a) => $body,
            AnyArray::I32($a) => $body,
            AnyArray::U32($a) => $body,
            AnyArray::I64($a) => $body,
            AnyArray::U8($a) => $body,
            AnyArray::F16($a) => $body,
            AnyArray::Bool($a) => $body,
        }
    };
}

/// `a` as an `Array<U>` when `U` is `T` (a dtype names one type).
fn same_type<T: Element, U: Element>(a: Array<T>) -> Option<Array<U>> {
    let mut slot = Some(a);
    (&mut slot as &mut dyn Any)
        .downcast_mut::<Option<Array<U>>>()
        .and_then(Option::take)
}

impl<T: Element> From<Array<T>> for AnyArray {
    fn from(a: Array<T>) -> AnyArray {
        // Each dtype names exactly one element type (the trait is sealed), so
        // the variant of T::DTYPE always takes `a`.
        let wrong = "an element type's DTYPE names that type";
        match T::DTYPE {
            DType::F32 => AnyArray::F32(same_type(a).expect(wrong)),
            DType::F64 => AnyArray::F64(same_type(a).expect(wrong)),
            DType::I32 => AnyArray::I32(same_type(a).expect(wrong)),
            DType::U32 => AnyArray::U32(same_type(a).expect(wrong)),
            DType::I64 => AnyArray::I64(same_type(a).expect(wrong)),
            DType::U8 => AnyArray::U8(same_type(a).expect(wrong)),
            DType::F16 => AnyArray::F16(same_type(a).expect(wrong)),
            DType::Bool => AnyArray::Bool(same_type(a).expect(wrong)),
        }
    }
}

impl AnyArray {
    /// The dtype (NumPy's `a.dtype`).
    ///
    /// ```
    /// use ndgpu::{io::AnyArray, Array, DType, Device};
    /// let any = AnyArray::from(Array::from_slice(&Device::cpu(), &[true], &[1])?);
    /// assert_eq!(any.dtype(), DType::Bool); // a.dtype == np.bool_
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn dtype(&self) -> DType {
        each!(self, a => a.dtype())
    }

    /// The shape (NumPy's `a.shape`).
    ///
    /// ```
    /// use ndgpu::{io::AnyArray, Array, Device};
    /// let any = AnyArray::from(Array::<i32>::zeros(&Device::cpu(), &[2, 3])?);
    /// assert_eq!(any.shape(), &[2, 3]); // a.shape
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn shape(&self) -> &[usize] {
        each!(self, a => a.shape())
    }

    /// The number of elements (NumPy's `a.size`).
    ///
    /// ```
    /// use ndgpu::{io::AnyArray, Array, Device};
    /// let any = AnyArray::from(Array::<u32>::zeros(&Device::cpu(), &[2, 3])?);
    /// assert_eq!(any.len(), 6); // a.size
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn len(&self) -> usize {
        each!(self, a => a.len())
    }

    /// Whether the array has no elements (NumPy's `a.size == 0`).
    ///
    /// ```
    /// use ndgpu::{io::AnyArray, Array, Device};
    /// let any = AnyArray::from(Array::<f32>::zeros(&Device::cpu(), &[0, 3])?);
    /// assert!(any.is_empty()); // a.size == 0
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The device the array lives on.
    ///
    /// ```
    /// use ndgpu::{io::AnyArray, Array, Device};
    /// let any = AnyArray::from(Array::<f32>::zeros(&Device::cpu(), &[1])?);
    /// assert!(any.device().is_cpu());
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn device(&self) -> &Device {
        each!(self, a => a.device())
    }

    /// The typed array, when it holds `T` (NumPy has no static dtype; this is
    /// the check `assert a.dtype == np.float32`). No conversion: use
    /// [`Array::astype`] after it for one.
    ///
    /// ```
    /// use ndgpu::{io::AnyArray, Array, Device};
    /// let any = AnyArray::from(Array::from_slice(&Device::cpu(), &[1, 2], &[2])?);
    /// assert!(any.clone().into_typed::<f32>().is_err()); // int32, not float32
    /// let a = any.into_typed::<i32>()?;
    /// assert_eq!(a.to_vec()?, vec![1, 2]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// The array holds another dtype.
    pub fn into_typed<T: Element>(self) -> Result<Array<T>> {
        let dtype = self.dtype();
        each!(self, a => same_type(a)).ok_or_else(|| {
            Error::Value(format!(
                "the array holds {dtype}, not {}; use into_typed::<{}>() and astype",
                T::DTYPE,
                rust_name(dtype)
            ))
        })
    }

    /// A borrow of the typed array, when it holds `T`.
    ///
    /// ```
    /// use ndgpu::{io::AnyArray, Array, Device};
    /// let any = AnyArray::from(Array::from_slice(&Device::cpu(), &[1u32], &[1])?);
    /// assert!(any.as_typed::<u32>().is_some());
    /// assert!(any.as_typed::<i32>().is_none());
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    pub fn as_typed<T: Element>(&self) -> Option<&Array<T>> {
        each!(self, a => (a as &dyn Any).downcast_ref::<Array<T>>())
    }

    /// The elements' bytes in logical C order, little-endian (NumPy's
    /// `a.astype(a.dtype.newbyteorder('<')).tobytes()`); see
    /// [`Array::to_bytes`].
    ///
    /// ```
    /// use ndgpu::{io::AnyArray, Array, Device};
    /// let any = AnyArray::from(Array::from_slice(&Device::cpu(), &[1u32, 2], &[2])?);
    /// assert_eq!(any.to_bytes()?, vec![1, 0, 0, 0, 2, 0, 0, 0]); // a.tobytes()
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// A GPU error during readback.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        each!(self, a => a.to_bytes())
    }
}

impl std::fmt::Display for AnyArray {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        each!(self, a => std::fmt::Display::fmt(a, f))
    }
}

fn rust_name(d: DType) -> &'static str {
    match d {
        DType::F32 => "f32",
        DType::F64 => "f64",
        DType::I32 => "i32",
        DType::U32 => "u32",
        DType::I64 => "i64",
        DType::U8 => "u8",
        DType::F16 => "half::f16",
        DType::Bool => "bool",
    }
}

mod sealed {
    pub trait Sealed {}
    impl<T: crate::Element> Sealed for crate::Array<T> {}
    impl Sealed for super::AnyArray {}
}

/// What the savers take: any [`Array<T>`] or an [`AnyArray`], so that one
/// list `&[("x", &x), ("n", &n)]` can mix dtypes.
pub trait ToAnyArray: sealed::Sealed {
    /// Another handle to the same array, as an [`AnyArray`] (no copy).
    ///
    /// ```
    /// use ndgpu::io::ToAnyArray;
    /// use ndgpu::{Array, DType, Device};
    /// let a = Array::from_slice(&Device::cpu(), &[1.0f64], &[1])?;
    /// assert_eq!(a.to_any_array().dtype(), DType::F64);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    fn to_any_array(&self) -> AnyArray;
}

impl<T: Element> ToAnyArray for Array<T> {
    fn to_any_array(&self) -> AnyArray {
        AnyArray::from(self.clone())
    }
}

impl ToAnyArray for AnyArray {
    fn to_any_array(&self) -> AnyArray {
        self.clone()
    }
}

// ---------------------------------------------------------------------------
// Errors

fn io_error(what: &str, e: io::Error) -> Error {
    Error::Io {
        path: what.to_string(),
        kind: e.kind(),
        message: e.to_string(),
    }
}

fn file_error(what: &str, kind: io::ErrorKind, message: impl Into<String>) -> Error {
    Error::Io {
        path: what.to_string(),
        kind,
        message: message.into(),
    }
}

fn corrupt(what: &str, message: impl std::fmt::Display) -> Error {
    file_error(
        what,
        io::ErrorKind::InvalidData,
        format!("not a valid .npy file: {message}"),
    )
}

// ---------------------------------------------------------------------------
// Bytes in and out of array memory

/// Bytes per element in files and in [`Array::to_bytes`]: the stored size,
/// except `bool`, which NumPy keeps in one byte (ndgpu stores a 32-bit word).
fn file_itemsize(d: DType) -> usize {
    match d {
        DType::Bool => 1,
        d => d.size(),
    }
}

/// A new C-ordered array of `shape` whose stored elements `fill` writes: in
/// the array's own buffer on the CPU backend, in one host buffer that is then
/// uploaded on a GPU. On an error the buffer goes back unused.
pub(crate) fn fill_new<T: Element>(
    dev: &Device,
    shape: &[usize],
    fill: impl FnOnce(&mut [T::Repr]) -> Result<()>,
) -> Result<Array<T>> {
    let n = checked_size(shape)?;
    Array::<T>::uninit(dev, shape)?.fresh(|a| match &a.storage {
        Storage::Cpu(s) => {
            let mut g = crate::device::cpu::lock(s);
            fill(&mut bytemuck::cast_slice_mut::<u64, T::Repr>(&mut g)[..n])
        }
        Storage::Gpu(s) => {
            let mut host = vec![T::Repr::zeroed(); n];
            fill(&mut host)?;
            a.gpu().upload(s, bytemuck::cast_slice(&host))
        }
    })
}

/// Turns `n` bytes at the start of `words` (one NumPy bool each) into `n`
/// stored bool words (0 or 1; any nonzero byte is `true`), in place.
fn widen_bools(words: &mut [u32], n: usize) {
    // Backwards: word i covers bytes 4i..4i+4, all at or after byte i, and
    // every byte after i has already been read.
    for i in (0..n).rev() {
        let b = bytemuck::cast_slice::<u32, u8>(words)[i];
        words[i] = u32::from(b != 0);
    }
}

/// Reverses the bytes of each `size`-byte element.
fn swap_bytes(bytes: &mut [u8], size: usize) {
    match size {
        4 => match bytemuck::try_cast_slice_mut::<u8, u32>(bytes) {
            Ok(w) => w.iter_mut().for_each(|x| *x = x.swap_bytes()),
            Err(_) => bytes.chunks_exact_mut(4).for_each(<[u8]>::reverse),
        },
        8 => match bytemuck::try_cast_slice_mut::<u8, u64>(bytes) {
            Ok(w) => w.iter_mut().for_each(|x| *x = x.swap_bytes()),
            Err(_) => bytes.chunks_exact_mut(8).for_each(<[u8]>::reverse),
        },
        _ => bytes.chunks_exact_mut(size).for_each(<[u8]>::reverse),
    }
}

/// Reads until `buf` is full or the input ends; the bytes read.
fn read_full(r: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match r.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(k) => got += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

impl<T: Element> Array<T> {
    /// The elements' bytes in logical C order, little-endian, from any view
    /// (NumPy's `a.tobytes()` on a little-endian machine). `bool` gives one
    /// byte (0 or 1) per element, as NumPy does. One copy: the elements are
    /// read straight into the returned vector.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1i32, -2, 3, 4], &[2, 2])?;
    /// let b = a.t().to_bytes()?; // a.T.tobytes()
    /// assert_eq!(&b[..8], &[1, 0, 0, 0, 3, 0, 0, 0]);
    /// let m = Array::from_slice(&dev, &[true, false], &[2])?;
    /// assert_eq!(m.to_bytes()?, vec![1, 0]);
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// A GPU error during readback.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let n = self.len();
        if T::DTYPE == DType::Bool {
            let mut words = vec![T::Repr::zeroed(); n];
            self.read_reprs(&mut words)?;
            return Ok(bytemuck::cast_slice::<T::Repr, u32>(&words)
                .iter()
                .map(|&w| u8::from(w != 0))
                .collect());
        }
        let size = T::DTYPE.size();
        let mut out = vec![0u8; n * size];
        // The allocator hands out word-aligned memory in practice; when it
        // does not, read into words and copy.
        match bytemuck::try_cast_slice_mut::<u8, T::Repr>(&mut out) {
            Ok(words) => self.read_reprs(words)?,
            Err(_) => {
                let mut words = vec![T::Repr::zeroed(); n];
                self.read_reprs(&mut words)?;
                out.copy_from_slice(bytemuck::cast_slice(&words));
            }
        }
        if cfg!(target_endian = "big") {
            swap_bytes(&mut out, size);
        }
        Ok(out)
    }

    /// An array of `shape` from the elements' bytes in C order,
    /// little-endian (NumPy's `np.frombuffer(b, dtype).reshape(shape)`, a
    /// copy here). `bool` takes one byte per element (nonzero is `true`).
    /// `bytes` needs no alignment: it is copied into the array's memory.
    ///
    /// ```
    /// use ndgpu::{Array, Device};
    /// let dev = Device::cpu();
    /// let bytes = [0u8, 0, 128, 63, 0, 0, 0, 64]; // np.array([1, 2], '<f4').tobytes()
    /// let a = Array::<f32>::from_bytes(&dev, &bytes, &[2])?;
    /// assert_eq!(a.to_vec()?, vec![1.0, 2.0]);
    /// assert!(Array::<f32>::from_bytes(&dev, &bytes[1..], &[2]).is_err()); // 7 bytes
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// `bytes.len()` is not the shape's size times the item size; the dtype
    /// is not supported on the device; out of memory.
    pub fn from_bytes(dev: &Device, bytes: &[u8], shape: &[usize]) -> Result<Array<T>> {
        let n = checked_size(shape)?;
        let item = file_itemsize(T::DTYPE);
        if n.checked_mul(item) != Some(bytes.len()) {
            return Err(Error::Value(format!(
                "from_bytes: an array of shape {} and dtype {} takes {} bytes, not {}",
                fmt_shape(shape),
                T::DTYPE,
                n as u128 * item as u128,
                bytes.len()
            )));
        }
        if T::DTYPE != DType::Bool && cfg!(target_endian = "little") {
            // The bytes are the stored form: one copy, into the buffer or
            // (on a GPU) into the upload.
            return Array::<T>::uninit(dev, shape)?.fresh(|a| match &a.storage {
                Storage::Cpu(s) => {
                    let mut g = crate::device::cpu::lock(s);
                    bytemuck::cast_slice_mut::<u64, u8>(&mut g)[..bytes.len()]
                        .copy_from_slice(bytes);
                    Ok(())
                }
                Storage::Gpu(s) => a.gpu().upload(s, bytes),
            });
        }
        fill_new::<T>(dev, shape, |dst| {
            if T::DTYPE == DType::Bool {
                let words = bytemuck::cast_slice_mut::<T::Repr, u32>(dst);
                for (w, &b) in words.iter_mut().zip(bytes) {
                    *w = u32::from(b != 0);
                }
            } else {
                let dst = bytemuck::cast_slice_mut::<T::Repr, u8>(dst);
                dst.copy_from_slice(bytes);
                if cfg!(target_endian = "big") {
                    swap_bytes(dst, item);
                }
            }
            Ok(())
        })
    }
}

// ---------------------------------------------------------------------------
// .npy

/// The longest header accepted (NumPy refuses headers over 10,000 bytes
/// unless told otherwise; real ones are about 128).
const MAX_HEADER: usize = 1 << 16;
/// The deepest bracket nesting accepted in a header: the parser recurses, and
/// a header of our dtypes nests two deep.
const MAX_DEPTH: usize = 16;

/// What a `.npy` header says.
struct Header {
    dtype: DType,
    /// Saved with the other byte order than this machine's.
    swap: bool,
    fortran: bool,
    shape: Vec<usize>,
    /// Bytes of the header, magic string included.
    len: u64,
}

/// NumPy's name for a dtype that ndgpu lacks: `int16`, `complex64`, ...
fn numpy_name(t: &npyz::TypeStr) -> String {
    use npyz::TypeChar as C;
    let bits = t.size_field() * 8;
    match t.type_char() {
        C::Bool => "bool".into(),
        C::Int => format!("int{bits}"),
        C::Uint => format!("uint{bits}"),
        C::Float => format!("float{bits}"),
        C::Complex => format!("complex{bits}"),
        C::TimeDelta => "timedelta64".into(),
        C::DateTime => "datetime64".into(),
        C::ByteStr => "bytes".into(),
        C::UnicodeStr => "str".into(),
        C::Object => "object".into(),
        C::RawData => "void".into(),
        _ => t.to_string(),
    }
}

/// Checks what npyz's header parser would choke on: brackets nested deeper
/// than its recursion can take, and a shape whose product overflows (npyz
/// multiplies the dimensions unchecked).
fn precheck_header(text: &str, what: &str) -> Result<()> {
    let mut depth = 0usize;
    for c in text.bytes() {
        match c {
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(corrupt(what, "the header nests too deeply"));
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    let value: py_literal::Value = text
        .trim_end()
        .parse()
        .map_err(|e| corrupt(what, format!("the header is not a Python literal ({e})")))?;
    let py_literal::Value::Dict(items) = value else {
        return Err(corrupt(what, "the header is not a dict"));
    };
    for (k, v) in &items {
        if !matches!(k, py_literal::Value::String(s) if s == "shape") {
            continue;
        }
        let (py_literal::Value::Tuple(dims) | py_literal::Value::List(dims)) = v else {
            return Err(corrupt(what, "'shape' is not a tuple"));
        };
        let mut size = 1u64;
        for d in dims {
            let py_literal::Value::Integer(d) = d else {
                return Err(corrupt(what, "'shape' holds a non-integer"));
            };
            let d = u64::try_from(d)
                .map_err(|_| corrupt(what, format!("the shape has a dimension {d}")))?;
            // Zero dimensions make an empty array, but npyz's strides still
            // multiply the others.
            if d != 0 {
                size = size
                    .checked_mul(d)
                    .ok_or_else(|| corrupt(what, "the shape's size overflows"))?;
            }
        }
    }
    Ok(())
}

/// Reads a `.npy` header; `avail` is the bytes the input holds, when known.
fn read_header(r: &mut dyn Read, what: &str, avail: Option<u64>) -> Result<Header> {
    let truncated = |m: &str| file_error(what, io::ErrorKind::UnexpectedEof, m);
    let mut prefix = [0u8; 12];
    let got = read_full(r, &mut prefix[..8]).map_err(|e| io_error(what, e))?;
    if got < 6 || &prefix[..6] != b"\x93NUMPY" {
        return Err(corrupt(what, "it does not start with NumPy's magic string"));
    }
    if got < 8 {
        return Err(truncated("truncated: the file ends inside the header"));
    }
    let (major, minor) = (prefix[6], prefix[7]);
    let width = match (major, minor) {
        (1, 0) => 2,
        (2, 0) | (3, 0) => 4,
        _ => {
            return Err(corrupt(
                what,
                format!("unknown format version {major}.{minor}"),
            ))
        }
    };
    if read_full(r, &mut prefix[8..8 + width]).map_err(|e| io_error(what, e))? < width {
        return Err(truncated("truncated: the file ends inside the header"));
    }
    let text_len = if width == 2 {
        u16::from_le_bytes([prefix[8], prefix[9]]) as usize
    } else {
        u32::from_le_bytes([prefix[8], prefix[9], prefix[10], prefix[11]]) as usize
    };
    if text_len > MAX_HEADER {
        return Err(corrupt(
            what,
            format!("the header claims {text_len} bytes (at most {MAX_HEADER} accepted)"),
        ));
    }
    let len = (8 + width + text_len) as u64;
    if avail.is_some_and(|a| a < len) {
        return Err(truncated("truncated: the file ends inside the header"));
    }
    let mut bytes = Vec::with_capacity(8 + width + text_len);
    bytes.extend_from_slice(&prefix[..8 + width]);
    bytes.resize(8 + width + text_len, 0);
    if read_full(r, &mut bytes[8 + width..]).map_err(|e| io_error(what, e))? < text_len {
        return Err(truncated("truncated: the file ends inside the header"));
    }
    let text = std::str::from_utf8(&bytes[8 + width..])
        .map_err(|_| corrupt(what, "the header is not text"))?;
    precheck_header(text, what)?;
    let h = npyz::NpyHeader::from_reader(&bytes[..]).map_err(|e| corrupt(what, e))?;

    let npyz::DType::Plain(t) = h.dtype() else {
        return Err(file_error(
            what,
            io::ErrorKind::Unsupported,
            format!(
                "structured dtype {} is not supported (ndgpu has float16, float32, float64, uint8, int32, uint32, int64 and bool)",
                h.dtype().descr()
            ),
        ));
    };
    use npyz::TypeChar as C;
    let dtype = match (t.type_char(), t.size_field(), t.time_units()) {
        (C::Float, 4, None) => DType::F32,
        (C::Float, 8, None) => DType::F64,
        (C::Float, 2, None) => DType::F16,
        (C::Int, 8, None) => DType::I64,
        (C::Uint, 1, None) => DType::U8,
        (C::Int, 4, None) => DType::I32,
        (C::Uint, 4, None) => DType::U32,
        (C::Bool, 1, None) => DType::Bool,
        _ => {
            return Err(file_error(
                what,
                io::ErrorKind::Unsupported,
                format!(
                    "dtype {} ('{t}') is not supported (ndgpu has float16, float32, float64, uint8, int32, uint32, int64 and bool)",
                    numpy_name(&t)
                ),
            ))
        }
    };
    let swap = match t.endianness() {
        npyz::Endianness::Little => cfg!(target_endian = "big"),
        npyz::Endianness::Big => cfg!(target_endian = "little"),
        npyz::Endianness::Irrelevant => false,
    };
    let shape = h
        .shape()
        .iter()
        .map(|&d| usize::try_from(d))
        .collect::<std::result::Result<Vec<usize>, _>>()
        .map_err(|_| corrupt(what, "the shape is too large for this machine"))?;
    Ok(Header {
        dtype,
        swap,
        fortran: h.order() == npyz::Order::Fortran,
        shape,
        len,
    })
}

/// Reads the data that `h` describes into a new array. `avail` is the bytes
/// the whole input holds, when known; `check_end` reads on to the end of the
/// input so that a zip member's checksum is verified.
fn read_body<T: Element>(
    dev: &Device,
    r: &mut dyn Read,
    h: &Header,
    avail: Option<u64>,
    check_end: bool,
    what: &str,
) -> Result<Array<T>> {
    let n = checked_size(&h.shape).map_err(|_| corrupt(what, "the shape's size overflows"))?;
    let item = file_itemsize(T::DTYPE);
    let need = (n as u64) * item as u64;
    let truncated = |have: u64| {
        file_error(
            what,
            io::ErrorKind::UnexpectedEof,
            format!(
                "truncated: shape {} of {} needs {need} bytes of data after the header, the file holds {have}",
                fmt_shape(&h.shape),
                T::DTYPE
            ),
        )
    };
    // Refuse before allocating: a corrupt shape must not ask for terabytes.
    if let Some(a) = avail {
        let have = a.saturating_sub(h.len);
        if have < need {
            return Err(truncated(have));
        }
    }
    // A Fortran-order file holds the C order of the reversed shape.
    let c_shape: Vec<usize> = if h.fortran {
        h.shape.iter().rev().copied().collect()
    } else {
        h.shape.clone()
    };
    let mut a = fill_new::<T>(dev, &c_shape, |dst| {
        let bytes = &mut bytemuck::cast_slice_mut::<T::Repr, u8>(dst)[..n * item];
        let got = read_full(r, bytes).map_err(|e| io_error(what, e))?;
        if got < bytes.len() {
            return Err(truncated(got as u64));
        }
        if check_end {
            let mut more = [0u8; 1];
            read_full(r, &mut more).map_err(|e| io_error(what, e))?;
        }
        if T::DTYPE == DType::Bool {
            widen_bools(bytemuck::cast_slice_mut::<T::Repr, u32>(dst), n);
        } else if h.swap {
            swap_bytes(bytes, item);
        }
        Ok(())
    })?;
    if h.fortran {
        // The same buffer seen with Fortran strides: NumPy's
        // `np.frombuffer(...).reshape(shape, order='F')`, no transpose.
        a.layout = a.layout.t();
    }
    Ok(a)
}

/// Reads a whole `.npy` stream into an array of the dtype it holds.
fn read_npy_any(
    dev: &Device,
    r: &mut dyn Read,
    avail: Option<u64>,
    check_end: bool,
    what: &str,
) -> Result<AnyArray> {
    let h = read_header(r, what, avail)?;
    dev.check_dtype(h.dtype)?;
    Ok(match h.dtype {
        DType::F32 => AnyArray::F32(read_body(dev, r, &h, avail, check_end, what)?),
        DType::F64 => AnyArray::F64(read_body(dev, r, &h, avail, check_end, what)?),
        DType::I32 => AnyArray::I32(read_body(dev, r, &h, avail, check_end, what)?),
        DType::U32 => AnyArray::U32(read_body(dev, r, &h, avail, check_end, what)?),
        DType::I64 => AnyArray::I64(read_body(dev, r, &h, avail, check_end, what)?),
        DType::U8 => AnyArray::U8(read_body(dev, r, &h, avail, check_end, what)?),
        DType::F16 => AnyArray::F16(read_body(dev, r, &h, avail, check_end, what)?),
        DType::Bool => AnyArray::Bool(read_body(dev, r, &h, avail, check_end, what)?),
    })
}

fn open(path: &Path) -> Result<(File, Option<u64>, String)> {
    let what = path.display().to_string();
    let f = File::open(path).map_err(|e| io_error(&what, e))?;
    let len = f.metadata().ok().filter(|m| m.is_file()).map(|m| m.len());
    Ok((f, len, what))
}

/// Loads a `.npy` file onto `dev`, in the dtype it holds (NumPy's
/// `np.load(path)`). C and Fortran order, either byte order, 0-d and empty
/// arrays; a Fortran-order file gives an array with Fortran strides. On the
/// CPU backend the data is read straight into the array's memory.
///
/// ```
/// use ndgpu::{io, Array, Device};
/// let dev = Device::cpu();
/// let path = std::env::temp_dir().join("ndgpu_doc_load_npy.npy");
/// io::save_npy(&path, &Array::from_slice(&dev, &[1, 2, 3, 4], &[2, 2])?)?; // np.save(path, a)
/// let any = io::load_npy(&dev, &path)?;                                       // np.load(path)
/// assert_eq!(any.shape(), &[2, 2]);
/// assert_eq!(any.into_typed::<i32>()?.to_vec()?, vec![1, 2, 3, 4]);
/// # std::fs::remove_file(&path).ok();
/// # Ok::<(), ndgpu::Error>(())
/// ```
///
/// # Errors
/// [`Error::Io`] naming the file when it cannot be read, is truncated, has a
/// corrupt header or holds a dtype ndgpu lacks (float16, int64, ...);
/// [`Error::Dtype`] for `float64` on a GPU; out of memory.
pub fn load_npy(dev: &Device, path: impl AsRef<Path>) -> Result<AnyArray> {
    let (mut f, len, what) = open(path.as_ref())?;
    read_npy_any(dev, &mut f, len, false, &what)
}

/// Loads a `.npy` file that holds `T` (NumPy's `np.load(path)` followed by a
/// dtype check). The dtype is checked from the header, before any data is
/// read.
///
/// ```
/// use ndgpu::{io, Array, Device};
/// let dev = Device::cpu();
/// let path = std::env::temp_dir().join("ndgpu_doc_load_npy_as.npy");
/// io::save_npy(&path, &Array::from_slice(&dev, &[0.5f32, 1.5], &[2])?)?;
/// let a = io::load_npy_as::<f32>(&dev, &path)?; // np.load(path); assert a.dtype == np.float32
/// assert_eq!(a.to_vec()?, vec![0.5, 1.5]);
/// assert!(io::load_npy_as::<i32>(&dev, &path).is_err());
/// # std::fs::remove_file(&path).ok();
/// # Ok::<(), ndgpu::Error>(())
/// ```
///
/// # Errors
/// As [`load_npy`], and [`Error::Io`] when the file holds another dtype.
pub fn load_npy_as<T: Element>(dev: &Device, path: impl AsRef<Path>) -> Result<Array<T>> {
    let (mut f, len, what) = open(path.as_ref())?;
    let h = read_header(&mut f, &what, len)?;
    if h.dtype != T::DTYPE {
        return Err(file_error(
            &what,
            io::ErrorKind::InvalidData,
            format!(
                "holds {}, not {}; load it with load_npy and convert with astype",
                h.dtype,
                T::DTYPE
            ),
        ));
    }
    dev.check_dtype(h.dtype)?;
    read_body(dev, &mut f, &h, len, false, &what)
}

fn type_str(d: DType) -> npyz::TypeStr {
    let s = match d {
        DType::F32 => "<f4",
        DType::F64 => "<f8",
        DType::I32 => "<i4",
        DType::U32 => "<u4",
        DType::I64 => "<i8",
        DType::U8 => "|u1",
        DType::F16 => "<f2",
        DType::Bool => "|b1",
    };
    s.parse().expect("a valid NumPy type string")
}

/// Writes `a` as a `.npy` stream: the header (npyz), then the logical C-order
/// data, little-endian.
fn write_npy_to(w: &mut dyn Write, a: &AnyArray, what: &str) -> Result<()> {
    use npyz::WriterBuilder;
    let shape: Vec<u64> = a.shape().iter().map(|&d| d as u64).collect();
    npyz::WriteOptions::new_header_only()
        .dtype(npyz::DType::new_scalar(type_str(a.dtype())))
        .shape(&shape)
        .writer(&mut *w)
        .write_header_only()
        .map_err(|e| io_error(what, e))?;
    each!(a, a => write_data(w, a, what))
}

fn write_data<T: Element>(w: &mut dyn Write, a: &Array<T>, what: &str) -> Result<()> {
    // A C-contiguous array on the CPU backend is written from its buffer.
    if let Storage::Cpu(s) = &a.storage {
        if cfg!(target_endian = "little") && T::DTYPE != DType::Bool && a.layout.is_c_contiguous() {
            let g = crate::device::cpu::read(s);
            let size = T::DTYPE.size();
            let at = a.layout.offset * size;
            let bytes = &bytemuck::cast_slice::<u64, u8>(&g)[at..at + a.len() * size];
            return w.write_all(bytes).map_err(|e| io_error(what, e));
        }
    }
    w.write_all(&a.to_bytes()?).map_err(|e| io_error(what, e))
}

/// Saves any array or view as a `.npy` file: its logical contents in C
/// order, little-endian (NumPy's `np.save(path, a)`; NumPy names the file
/// as given, adding no extension here).
///
/// ```
/// use ndgpu::{io, s, Array, Device};
/// let dev = Device::cpu();
/// let a = Array::from_slice(&dev, &[1, 2, 3, 4, 5, 6], &[2, 3])?;
/// let path = std::env::temp_dir().join("ndgpu_doc_save_npy.npy");
/// io::save_npy(&path, &a.slice(s![.., ..;-2])?)?; // np.save(path, a[:, ::-2])
/// assert_eq!(io::load_npy_as::<i32>(&dev, &path)?.to_vec()?, vec![3, 1, 6, 4]);
/// # std::fs::remove_file(&path).ok();
/// # Ok::<(), ndgpu::Error>(())
/// ```
///
/// # Errors
/// [`Error::Io`] naming the file when it cannot be written; a GPU error
/// during readback.
pub fn save_npy<A: ToAnyArray + ?Sized>(path: impl AsRef<Path>, a: &A) -> Result<()> {
    let path = path.as_ref();
    let what = path.display().to_string();
    let a = a.to_any_array();
    let mut w = BufWriter::new(File::create(path).map_err(|e| io_error(&what, e))?);
    write_npy_to(&mut w, &a, &what)?;
    w.flush().map_err(|e| io_error(&what, e))
}

// ---------------------------------------------------------------------------
// .npz

fn zip_error(what: &str, e: zip::result::ZipError) -> Error {
    match e {
        zip::result::ZipError::Io(e) => io_error(what, e),
        e => file_error(
            what,
            io::ErrorKind::InvalidData,
            format!("not a valid .npz (zip) file: {e}"),
        ),
    }
}

/// Loads every array of a `.npz` archive onto `dev`, in archive order, each
/// named as NumPy names it (the member's name without `.npy`) (NumPy's
/// `dict(np.load(path))`). Reads archives of `np.savez` and
/// `np.savez_compressed`; each member's checksum is verified.
///
/// ```
/// use ndgpu::{io, Array, Device};
/// let dev = Device::cpu();
/// let x = Array::from_slice(&dev, &[1.0f32, 2.0], &[2])?;
/// let n = Array::from_slice(&dev, &[7u32], &[1])?;
/// let path = std::env::temp_dir().join("ndgpu_doc_load_npz.npz");
/// io::save_npz(&path, &[("x", &x), ("n", &n)])?; // np.savez(path, x=x, n=n)
/// let arrays = io::load_npz(&dev, &path)?;      // dict(np.load(path))
/// assert_eq!(arrays[0].0, "x");
/// assert_eq!(arrays[1].1.clone().into_typed::<u32>()?.to_vec()?, vec![7]);
/// # std::fs::remove_file(&path).ok();
/// # Ok::<(), ndgpu::Error>(())
/// ```
///
/// # Errors
/// [`Error::Io`] naming the archive (and member) when it cannot be read, is
/// not a zip file, or a member is not a valid `.npy` of a dtype ndgpu has;
/// [`Error::Dtype`] for `float64` on a GPU; out of memory. Nothing is
/// returned on an error (arrays loaded before it are dropped).
pub fn load_npz(dev: &Device, path: impl AsRef<Path>) -> Result<Vec<(String, AnyArray)>> {
    let (f, _, what) = open(path.as_ref())?;
    let mut zip = zip::ZipArchive::new(io::BufReader::new(f)).map_err(|e| zip_error(&what, e))?;
    let mut out = Vec::with_capacity(zip.len());
    for i in 0..zip.len() {
        let mut m = zip.by_index(i).map_err(|e| zip_error(&what, e))?;
        if m.is_dir() {
            continue;
        }
        let member = m.name().to_string();
        let at = format!("{what} (member {member})");
        let size = m.size();
        let a = read_npy_any(dev, &mut m, Some(size), true, &at)?;
        let name = member.strip_suffix(".npy").unwrap_or(&member).to_string();
        out.push((name, a));
    }
    Ok(out)
}

fn write_npz(
    path: &Path,
    arrays: &[(&str, &dyn ToAnyArray)],
    method: zip::CompressionMethod,
) -> Result<()> {
    let what = path.display().to_string();
    let f = File::create(path).map_err(|e| io_error(&what, e))?;
    let mut zip = zip::ZipWriter::new(BufWriter::new(f));
    for (name, a) in arrays {
        let a = a.to_any_array();
        let bytes = a.len() as u64 * file_itemsize(a.dtype()) as u64;
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(method)
            // Zip64 records for members past 4 GiB, as NumPy's savez does.
            .large_file(bytes >= u64::from(u32::MAX) - 4096);
        zip.start_file(format!("{name}.npy"), opts)
            .map_err(|e| zip_error(&what, e))?;
        write_npy_to(&mut zip, &a, &what)?;
    }
    let mut w = zip.finish().map_err(|e| zip_error(&what, e))?;
    w.flush().map_err(|e| io_error(&what, e))
}

/// Saves named arrays of any dtypes as an uncompressed `.npz` archive
/// (NumPy's `np.savez(path, x=x, n=n)`); each array is written as its
/// logical C-order contents.
///
/// ```
/// use ndgpu::{io, Array, Device};
/// let dev = Device::cpu();
/// let w = Array::<f32>::ones(&dev, &[2, 2])?;
/// let mask = Array::from_slice(&dev, &[true, false], &[2])?;
/// let path = std::env::temp_dir().join("ndgpu_doc_save_npz.npz");
/// io::save_npz(&path, &[("w", &w), ("mask", &mask)])?; // np.savez(path, w=w, mask=mask)
/// assert_eq!(io::load_npz(&dev, &path)?.len(), 2);
/// # std::fs::remove_file(&path).ok();
/// # Ok::<(), ndgpu::Error>(())
/// ```
///
/// # Errors
/// [`Error::Io`] naming the file when it cannot be written; a GPU error
/// during readback.
pub fn save_npz(path: impl AsRef<Path>, arrays: &[(&str, &dyn ToAnyArray)]) -> Result<()> {
    write_npz(path.as_ref(), arrays, zip::CompressionMethod::Stored)
}

/// Like [`save_npz`], deflating each member (NumPy's
/// `np.savez_compressed(path, x=x)`).
///
/// ```
/// use ndgpu::{io, Array, Device};
/// let dev = Device::cpu();
/// let z = Array::<i32>::zeros(&dev, &[1000])?;
/// let path = std::env::temp_dir().join("ndgpu_doc_save_npz_c.npz");
/// io::save_npz_compressed(&path, &[("z", &z)])?; // np.savez_compressed(path, z=z)
/// assert!(std::fs::metadata(&path).map_err(|e| ndgpu::Error::Value(e.to_string()))?.len() < 1000);
/// assert_eq!(io::load_npz(&dev, &path)?[0].1.len(), 1000);
/// # std::fs::remove_file(&path).ok();
/// # Ok::<(), ndgpu::Error>(())
/// ```
///
/// # Errors
/// As [`save_npz`].
pub fn save_npz_compressed(
    path: impl AsRef<Path>,
    arrays: &[(&str, &dyn ToAnyArray)],
) -> Result<()> {
    write_npz(path.as_ref(), arrays, zip::CompressionMethod::Deflated)
}
