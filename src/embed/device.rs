//! Where the model runs: the CPU (the default, ONNX Runtime from the
//! `onnxruntime` wheel) or an NVIDIA GPU through ONNX Runtime's CUDA execution
//! provider (the `onnxruntime-gpu` wheel, which `scripts/setup-models.sh --gpu`
//! puts in `models/onnxruntime-gpu/`). The same int8 graph runs on both.

use std::path::{Path, PathBuf};

use ort::ep::ExecutionProvider;
use ort::session::builder::SessionBuilder;

use crate::error::{EmbeddingError, Error, Result};

/// The device the embedding model runs on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Device {
    /// ONNX Runtime's CPU execution provider.
    #[default]
    Cpu,
    /// ONNX Runtime's CUDA execution provider, on GPU 0.
    Cuda,
}

/// How the process's embedder is made; set once, before its first use
/// ([`super::Embedder::configure`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Settings {
    /// Where the model runs.
    pub device: Device,
    /// Inference sessions run side by side (one thread each); `None`: one per core.
    pub threads: Option<usize>,
}

/// The CPU build of ONNX Runtime, from the `onnxruntime` wheel.
pub(crate) const CPU_RUNTIME: &str = "onnxruntime/libonnxruntime.so.1.32.0";
/// The CUDA build's folder, from the `onnxruntime-gpu` wheel.
const GPU_FOLDER: &str = "onnxruntime-gpu";
/// CUDA and cuDNN libraries to load first, one path a line, in dependency
/// order, written by the set-up script from the NVIDIA wheels it installed.
const GPU_PRELOAD: &str = "preload.txt";

impl Device {
    /// The ONNX Runtime library for this device, in the models folder.
    pub(crate) fn runtime(self, models: &Path) -> PathBuf {
        match self {
            Device::Cpu => models.join(CPU_RUNTIME),
            Device::Cuda => models.join(GPU_FOLDER).join("libonnxruntime.so"),
        }
    }

    /// Checks the device's files and loads the CUDA libraries the CUDA build
    /// links against, so that ONNX Runtime finds them without `LD_LIBRARY_PATH`.
    pub(crate) fn prepare(self, models: &Path) -> Result<()> {
        if self == Device::Cpu {
            return Ok(());
        }
        let folder = models.join(GPU_FOLDER);
        if !self.runtime(models).is_file() {
            return Err(Error::GpuRuntimeMissing { dir: folder });
        }
        let Ok(list) = std::fs::read_to_string(folder.join(GPU_PRELOAD)) else {
            return Ok(());
        };
        for library in list.lines().map(str::trim).filter(|l| !l.is_empty()) {
            preload(Path::new(library))
                .map_err(|reason| EmbeddingError::Cuda(format!("{library}: {reason}")))?;
        }
        Ok(())
    }

    /// Puts the device's execution provider on a session builder; for CUDA,
    /// an error (not a silent fall-back to the CPU) when it cannot start.
    pub(crate) fn register(
        self,
        builder: SessionBuilder,
    ) -> std::result::Result<SessionBuilder, EmbeddingError> {
        match self {
            Device::Cpu => Ok(builder),
            Device::Cuda => {
                let unavailable = |reason: String| EmbeddingError::Cuda(reason.trim().to_owned());
                if !ort::ep::CUDA::is_available().map_err(|e| unavailable(e.to_string()))? {
                    return Err(unavailable(
                        "this ONNX Runtime has no CUDA execution provider".to_owned(),
                    ));
                }
                builder
                    .with_execution_providers([ort::ep::CUDA::default().build().error_on_failure()])
                    .map_err(|e| unavailable(e.to_string()))
            }
        }
    }
}

impl std::str::FromStr for Device {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Device, String> {
        match s {
            "cpu" => Ok(Device::Cpu),
            "cuda" | "gpu" => Ok(Device::Cuda),
            other => Err(format!("{other:?}: a device is cpu or cuda")),
        }
    }
}

/// Loads a shared library for the rest of the process, its symbols global.
fn preload(path: &Path) -> std::result::Result<(), String> {
    use libloading::os::unix::{Library, RTLD_GLOBAL, RTLD_NOW};
    // SAFETY: the CUDA and cuDNN libraries run no code on load that could
    // break this process's invariants; they stay loaded until it exits.
    let library =
        unsafe { Library::open(Some(path), RTLD_NOW | RTLD_GLOBAL) }.map_err(|e| e.to_string())?;
    std::mem::forget(library);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_the_cuda_build_the_error_says_how_to_get_it() {
        let dir = tempfile::tempdir().unwrap();
        assert!(Device::Cpu.prepare(dir.path()).is_ok());
        let err = Device::Cuda.prepare(dir.path()).unwrap_err().to_string();
        assert!(err.contains("setup-models.sh --gpu"), "{err}");
        assert_eq!("cuda".parse::<Device>(), Ok(Device::Cuda));
        assert!("tpu".parse::<Device>().is_err());
    }
}
