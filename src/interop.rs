//! Other Rust array and tensor formats, each behind the cargo feature of its
//! name: `ndarray` (conversions both ways) and `safetensors` (files; the
//! functions live in [`crate::io`]).

#[cfg(feature = "ndarray")]
mod nd {
    use crate::error::{Error, Result};
    use crate::{Array, Device, Element};

    impl<T: Element> Array<T> {
        /// An array on `dev` holding the elements of any ndarray array or
        /// view, of any layout (negative strides included), in logical order
        /// (NumPy's `np.array(a)` from another library's array). One copy:
        /// the elements go straight into the array's memory on the CPU
        /// backend, into one host buffer that is uploaded on a GPU.
        ///
        /// *Needs the `ndarray` feature.*
        ///
        /// ```
        /// use ndarray::{array, s};
        /// use ndgpu::{Array, Device};
        /// let dev = Device::cpu();
        /// let m = array![[1, 2, 3], [4, 5, 6]];
        /// let a = Array::from_ndarray(&dev, &m.slice(s![.., ..;-1]))?; // np.array(m[:, ::-1])
        /// assert_eq!(a.shape(), &[2, 3]);
        /// assert_eq!(a.to_vec()?, vec![3, 2, 1, 6, 5, 4]);
        /// # Ok::<(), ndgpu::Error>(())
        /// ```
        ///
        /// # Errors
        /// The dtype is not supported on the device; out of memory.
        pub fn from_ndarray<S, D>(dev: &Device, a: &ndarray::ArrayBase<S, D>) -> Result<Array<T>>
        where
            S: ndarray::Data<Elem = T>,
            D: ndarray::Dimension,
        {
            crate::io::fill_new::<T>(dev, a.shape(), |dst| {
                match a.as_slice() {
                    Some(s) => dst.iter_mut().zip(s).for_each(|(d, &x)| *d = x.to_repr()),
                    None => dst
                        .iter_mut()
                        .zip(a.iter())
                        .for_each(|(d, &x)| *d = x.to_repr()),
                }
                Ok(())
            })
        }

        /// The elements as an owned, C-ordered `ndarray::ArrayD`, from any
        /// view (NumPy's `a.copy()` handed to another library). One copy:
        /// the elements are read into the vector that the result owns.
        ///
        /// *Needs the `ndarray` feature.*
        ///
        /// ```
        /// use ndgpu::{Array, Device};
        /// let dev = Device::cpu();
        /// let a = Array::from_slice(&dev, &[1.0f32, 2.0, 3.0, 4.0], &[2, 2])?;
        /// let m = a.t().to_ndarray()?; // a.T.copy()
        /// assert_eq!(m, ndarray::array![[1.0f32, 3.0], [2.0, 4.0]].into_dyn());
        /// # Ok::<(), ndgpu::Error>(())
        /// ```
        ///
        /// # Errors
        /// A GPU error during readback.
        pub fn to_ndarray(&self) -> Result<ndarray::ArrayD<T>> {
            let v = self.to_vec()?;
            ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(self.shape()), v)
                .map_err(|e| Error::Shape(e.to_string()))
        }
    }
}

#[cfg(feature = "safetensors")]
mod st {
    use std::borrow::Cow;
    use std::io;
    use std::path::Path;

    use safetensors::{Dtype, SafeTensors};

    use crate::error::{Error, Result};
    use crate::io::{AnyArray, ToAnyArray};
    use crate::{Array, DType, Device};

    fn file_error(what: &str, kind: io::ErrorKind, message: String) -> Error {
        Error::Io {
            path: what.to_string(),
            kind,
            message,
        }
    }

    fn st_error(what: &str, e: safetensors::SafeTensorError) -> Error {
        file_error(
            what,
            io::ErrorKind::InvalidData,
            format!("not a valid safetensors file: {e}"),
        )
    }

    /// Loads the tensors `names` (all when `None`) of the file's bytes.
    fn load(dev: &Device, path: &Path, names: Option<&[&str]>) -> Result<Vec<(String, AnyArray)>> {
        let what = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| Error::Io {
            path: what.clone(),
            kind: e.kind(),
            message: e.to_string(),
        })?;
        // read_metadata checks the header against the data: every tensor's
        // offsets within the data, its byte count equal to its shape's, no
        // gap or overlap, and nothing after the last one.
        let (_, meta) = SafeTensors::read_metadata(&bytes).map_err(|e| st_error(&what, e))?;
        let st = SafeTensors::deserialize(&bytes).map_err(|e| st_error(&what, e))?;
        let wanted: Vec<String> = match names {
            Some(n) => n.iter().map(|s| s.to_string()).collect(),
            None => meta.offset_keys(),
        };
        let mut out = Vec::with_capacity(wanted.len());
        for name in wanted {
            let t = st.tensor(&name).map_err(|_| {
                file_error(
                    &what,
                    io::ErrorKind::NotFound,
                    format!("no tensor named '{name}'"),
                )
            })?;
            let shape = t.shape();
            let data = t.data();
            let at = format!("{what} (tensor '{name}')");
            let a = match t.dtype() {
                Dtype::F32 => AnyArray::F32(from_le(dev, data, shape, &at)?),
                Dtype::F64 => AnyArray::F64(from_le(dev, data, shape, &at)?),
                Dtype::I32 => AnyArray::I32(from_le(dev, data, shape, &at)?),
                Dtype::U32 => AnyArray::U32(from_le(dev, data, shape, &at)?),
                Dtype::I64 => AnyArray::I64(from_le(dev, data, shape, &at)?),
                Dtype::U8 => AnyArray::U8(from_le(dev, data, shape, &at)?),
                Dtype::F16 => AnyArray::F16(from_le(dev, data, shape, &at)?),
                Dtype::BOOL => AnyArray::Bool(from_le(dev, data, shape, &at)?),
                d => {
                    return Err(file_error(
                        &at,
                        io::ErrorKind::Unsupported,
                        format!(
                            "dtype {d:?} is not supported (ndgpu has F32, F64, I32, U32 and BOOL)"
                        ),
                    ))
                }
            };
            out.push((name, a));
        }
        Ok(out)
    }

    fn from_le<T: crate::Element>(
        dev: &Device,
        data: &[u8],
        shape: &[usize],
        what: &str,
    ) -> Result<Array<T>> {
        dev.check_dtype(T::DTYPE)?;
        Array::from_bytes(dev, data, shape).map_err(|e| match e {
            Error::Value(m) => file_error(what, io::ErrorKind::InvalidData, m),
            e => e,
        })
    }

    /// Loads every tensor of a safetensors file onto `dev`, in file order,
    /// dtype and shape from the header (Python's
    /// `safetensors.numpy.load_file(path)`). The file is read into host
    /// memory once, then each tensor is copied into its array.
    ///
    /// *Needs the `safetensors` feature.*
    ///
    /// ```
    /// use ndgpu::{io, Array, Device};
    /// let dev = Device::cpu();
    /// let w = Array::from_slice(&dev, &[1.0f32, 2.0, 3.0, 4.0], &[2, 2])?;
    /// let path = std::env::temp_dir().join("ndgpu_doc_load_st.safetensors");
    /// io::save_safetensors(&path, &[("w", &w)])?; // save_file({"w": w}, path)
    /// let t = io::load_safetensors(&dev, &path)?; // load_file(path)
    /// assert_eq!((t[0].0.as_str(), t[0].1.shape()), ("w", &[2, 2][..]));
    /// # std::fs::remove_file(&path).ok();
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Io`] naming the file when it cannot be read, its header is
    /// corrupt or disagrees with the data, or a tensor has a dtype ndgpu
    /// lacks (the error names it); [`Error::Dtype`] for `F64` on a GPU; out
    /// of memory.
    pub fn load_safetensors(
        dev: &Device,
        path: impl AsRef<Path>,
    ) -> Result<Vec<(String, AnyArray)>> {
        load(dev, path.as_ref(), None)
    }

    /// Loads the tensors `names` of a safetensors file onto `dev`, in the
    /// order given (Python's `safe_open(path, "np").get_tensor(name)` for
    /// each name); the other tensors are not converted.
    ///
    /// *Needs the `safetensors` feature.*
    ///
    /// ```
    /// use ndgpu::{io, Array, Device};
    /// let dev = Device::cpu();
    /// let a = Array::from_slice(&dev, &[1i32, 2], &[2])?;
    /// let b = Array::from_slice(&dev, &[true], &[1])?;
    /// let path = std::env::temp_dir().join("ndgpu_doc_load_st_subset.safetensors");
    /// io::save_safetensors(&path, &[("a", &a), ("b", &b)])?;
    /// let t = io::load_safetensors_subset(&dev, &path, &["b"])?;
    /// assert_eq!(t[0].1.clone().into_typed::<bool>()?.to_vec()?, vec![true]);
    /// assert!(io::load_safetensors_subset(&dev, &path, &["c"]).is_err());
    /// # std::fs::remove_file(&path).ok();
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`load_safetensors`], and [`Error::Io`] for a name the file lacks.
    pub fn load_safetensors_subset(
        dev: &Device,
        path: impl AsRef<Path>,
        names: &[&str],
    ) -> Result<Vec<(String, AnyArray)>> {
        load(dev, path.as_ref(), Some(names))
    }

    /// One tensor to serialize: its little-endian bytes.
    struct Bytes {
        dtype: Dtype,
        shape: Vec<usize>,
        data: Vec<u8>,
    }

    impl safetensors::View for &Bytes {
        fn dtype(&self) -> Dtype {
            self.dtype
        }
        fn shape(&self) -> &[usize] {
            &self.shape
        }
        fn data(&self) -> Cow<'_, [u8]> {
            Cow::Borrowed(&self.data)
        }
        fn data_len(&self) -> usize {
            self.data.len()
        }
    }

    /// Saves named arrays of any dtypes as a safetensors file, each as its
    /// logical C-order contents (Python's
    /// `safetensors.numpy.save_file({"w": w}, path)`).
    ///
    /// *Needs the `safetensors` feature.*
    ///
    /// ```
    /// use ndgpu::{io, Array, Device};
    /// let dev = Device::cpu();
    /// let w = Array::from_slice(&dev, &[1.0f64, 2.0], &[2])?;
    /// let path = std::env::temp_dir().join("ndgpu_doc_save_st.safetensors");
    /// io::save_safetensors(&path, &[("w", &w)])?; // save_file({"w": w}, path)
    /// let t = io::load_safetensors(&dev, &path)?;
    /// assert_eq!(t[0].1.clone().into_typed::<f64>()?.to_vec()?, vec![1.0, 2.0]);
    /// # std::fs::remove_file(&path).ok();
    /// # Ok::<(), ndgpu::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Io`] naming the file when it cannot be written (or two
    /// tensors share a name); a GPU error during readback.
    pub fn save_safetensors(
        path: impl AsRef<Path>,
        tensors: &[(&str, &dyn ToAnyArray)],
    ) -> Result<()> {
        let path = path.as_ref();
        let what = path.display().to_string();
        let mut all = Vec::with_capacity(tensors.len());
        for (name, a) in tensors {
            let a = a.to_any_array();
            let dtype = match a.dtype() {
                DType::F32 => Dtype::F32,
                DType::F64 => Dtype::F64,
                DType::I32 => Dtype::I32,
                DType::U32 => Dtype::U32,
                DType::I64 => Dtype::I64,
                DType::U8 => Dtype::U8,
                DType::F16 => Dtype::F16,
                DType::Bool => Dtype::BOOL,
            };
            all.push((
                name.to_string(),
                Bytes {
                    dtype,
                    shape: a.shape().to_vec(),
                    data: a.to_bytes()?,
                },
            ));
        }
        let mut names: Vec<&str> = all.iter().map(|(n, _)| n.as_str()).collect();
        names.sort_unstable();
        if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
            return Err(file_error(
                &what,
                io::ErrorKind::InvalidInput,
                format!("two tensors are named '{}'", w[0]),
            ));
        }
        safetensors::serialize_to_file(all.iter().map(|(n, b)| (n.as_str(), b)), None, path)
            .map_err(|e| match e {
                safetensors::SafeTensorError::IoError(e) => Error::Io {
                    path: what.clone(),
                    kind: e.kind(),
                    message: e.to_string(),
                },
                e => file_error(&what, io::ErrorKind::InvalidInput, e.to_string()),
            })
    }
}

#[cfg(feature = "safetensors")]
pub use st::{load_safetensors, load_safetensors_subset, save_safetensors};
