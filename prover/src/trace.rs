//! Steps 1 and 2 of the protocol: the main trace and the auxiliary segment, interpolated,
//! masked in a hiding proof, extended over the LDE domain and committed.
//!
//! A hiding proof masks every main column but those an honest trace fills from the claim alone
//! ([`distaff_air::Air::public_columns`]), and every base coordinate of every auxiliary column,
//! each with `h` random coefficients times the vanishing polynomial of the trace domain
//! (`distaff_verifier::shape` counts them). The masks leave the trace's values on the trace
//! domain, so the constraints do not change.

use std::borrow::Cow;

use crate::commit::{
    commit_cosets, commit_stored, commitment_error, open_evaluated, open_values, stored_leaves, stored_values,
    RECOMPUTED_LEVELS, STREAMED_SKIP,
};
use crate::dft;
use crate::hash::RowHasher;
use crate::merkle::PartialTree;
use crate::prover::{estimated_memory, refuse_over_limit, LdeStorage, ProverError, ProverSettings, ProvingReport};
use crate::zk::{Hiding, Purpose};
use distaff_air::Air;
use distaff_math::{Felt, FieldElement};
use distaff_verifier::proof::Openings;
use distaff_verifier::shape::ProofShape;
use distaff_verifier::ProofOptions;

/// Splits extension-field columns into their base-field coordinates (column `c·d + k` holds
/// coordinate `k` of column `c`).
pub(crate) fn coordinates<E: FieldElement<BaseField = Felt>>(columns: &[Vec<E>]) -> Vec<Vec<Felt>> {
    let d = E::EXTENSION_DEGREE;
    let mut out = vec![Vec::new(); columns.len() * d];
    for (c, col) in columns.iter().enumerate() {
        let base = E::slice_as_base_elements(col);
        for (k, o) in out[c * d..(c + 1) * d].iter_mut().enumerate() {
            *o = base.iter().skip(k).step_by(d).copied().collect();
        }
    }
    out
}

/// The auxiliary segment's LDE (step 3): its columns' base coordinates interpolated, masked
/// (`masks`: none without hiding) and extended, stored coset by coset like the trace's.
pub(crate) fn aux_lde<E: FieldElement<BaseField = Felt>>(
    aux: &[Vec<E>],
    masks: &[(usize, Vec<Felt>)],
    blowup: usize,
) -> (dft::Coefficients, dft::RowLayout, Vec<Felt>) {
    let coefficients = dft::interpolate_columns(&coordinates(aux)).masked(masks);
    let stored = dft::lde_cosets(&coefficients, blowup);
    let layout = dft::RowLayout::of(&coefficients);
    (coefficients, layout, stored)
}

/// The main trace's columns, borrowed or owned by the prover.
pub(crate) type Columns<'c> = Cow<'c, [Vec<Felt>]>;

/// The committed main trace (step 1): the columns' coefficients (masked in a hiding proof), the
/// layout of its LDE's rows, the LDE itself when the prover stores it, and the tree.
pub(crate) struct MainTrace<H: RowHasher> {
    pub(crate) coefficients: dft::Coefficients,
    pub(crate) layout: dft::RowLayout,
    /// The varying columns' LDE, coset by coset ([`LdeStorage::Stored`]; `None` when streamed).
    pub(crate) stored: Option<Vec<Felt>>,
    pub(crate) tree: PartialTree<H>,
}

/// Step 1: interpolates the main trace, masks it in a hiding proof, extends it over the LDE
/// domain and commits to its rows.
///
/// With [`LdeStorage::Streamed`] (what [`LdeStorage::Auto`] becomes for long traces, or when
/// only it fits the memory limit) the trace LDE (n·blowup rows) is never stored: it is computed
/// coset by coset, once to hash its rows and once more to evaluate the constraints, and the few
/// rows the queries open are evaluated from the coefficients. The masked columns that are
/// constant on the trace domain are neither transformed nor stored ([`dft::Extras`]).
///
/// Once the LDE's stored width is known, a proof that cannot fit in the memory limit is
/// refused. The columns are given back if the auxiliary segment needs them, and dropped
/// otherwise (when the prover owns them).
pub(crate) fn commit_main_trace<'c, H: RowHasher, A: Air>(
    air: &A,
    columns: Columns<'c>,
    shape: &ProofShape,
    options: &ProofOptions,
    settings: &ProverSettings,
    hiding: Hiding<'_>,
    report: &mut ProvingReport,
) -> Result<(MainTrace<H>, Option<Columns<'c>>), ProverError> {
    let (n, blowup) = (shape.n, shape.lde_size / shape.n);
    let public_columns = air.public_columns();
    let masked: Vec<usize> = (0..shape.main_width).filter(|c| !public_columns.contains(c)).collect();
    let coefficients = report.time("trace interpolation", || {
        dft::interpolate_columns(&columns).masked_sparse(&hiding.masks(Purpose::MainMask, &masked))
    });
    let columns = (shape.aux_width > 0).then_some(columns);
    // the varying columns, stored coset by coset (position p is row (p % blowup)·n + p / blowup)
    let layout = dft::RowLayout::of(&coefficients);
    report.stored_columns = layout.stored_width();
    report.aux_columns = shape.aux_width * shape.extension;
    let (stored_columns, aux_columns) = (report.stored_columns, report.aux_columns);
    let storage =
        refuse_over_limit(settings, n, |storage| estimated_memory(n, stored_columns, aux_columns, options, storage))?;
    report.storage = storage;
    let stored = match storage {
        LdeStorage::Stored => Some(report.time("trace LDE", || dft::lde_cosets(&coefficients, blowup))),
        LdeStorage::Streamed | LdeStorage::Auto => None,
    };
    let salts = hiding.salts(Purpose::MainSalt);
    let extras = coefficients.extras();
    let tree = match &stored {
        Some(rows) if !extras.is_empty() => commit_stored::<H>(rows, &layout, extras, (n, blowup), salts, report)?,
        Some(rows) => {
            let leaves = stored_leaves::<H>(rows, &layout, extras, (n, blowup), salts);
            report.time("trace commitment", || {
                PartialTree::<H>::build(shape.lde_size, RECOMPUTED_LEVELS, &leaves).map_err(commitment_error)
            })?
        }
        None => commit_cosets::<H>(
            &coefficients,
            (blowup, STREAMED_SKIP),
            salts,
            report,
            ("trace LDE", "trace commitment"),
        )?,
    };
    Ok((MainTrace { coefficients, layout, stored, tree }, columns))
}

impl<H: RowHasher> MainTrace<H> {
    /// Opens the rows at LDE `positions` (the points `xs`), with their salts in a hiding proof
    /// (step 9): read from the stored LDE (the masked constant columns evaluated at each point)
    /// and the unstored levels of the tree recomputed from it, or, for a streamed LDE, the
    /// rows and those under the tree's unstored level evaluated from the coefficients (`xs`
    /// serves only the stored LDE).
    pub(crate) fn open(
        &self,
        positions: &[usize],
        xs: &[Felt],
        shape: &ProofShape,
        hiding: Hiding<'_>,
    ) -> Result<Openings, ProverError> {
        let (n, blowup) = (shape.n, shape.lde_size / shape.n);
        let salts = hiding.salts(Purpose::MainSalt);
        match &self.stored {
            Some(rows) => {
                let extras = self.coefficients.extras();
                let leaves = stored_leaves::<H>(rows, &self.layout, extras, (n, blowup), salts);
                let mut values = stored_values(rows, &self.layout, positions, n, blowup);
                for (row, x) in values.chunks_mut(shape.main_width).zip(xs) {
                    self.layout.fill_extras(&extras.at(*x, n), row);
                }
                open_values::<H>(&self.tree, Some(&leaves), values, shape.main_width, salts, positions)
            }
            None => open_evaluated::<H>(&self.tree, &self.coefficients, positions, shape.lde_size, salts),
        }
    }
}

/// The committed auxiliary segment (step 2): its columns' base coordinates as coefficients
/// (masked in a hiding proof), the layout of its LDE's rows, the LDE, always stored, and the
/// tree.
pub(crate) struct AuxTrace<H: RowHasher> {
    pub(crate) coefficients: dft::Coefficients,
    pub(crate) layout: dft::RowLayout,
    pub(crate) stored: Vec<Felt>,
    pub(crate) tree: PartialTree<H>,
}

/// Step 2: builds the auxiliary segment from the main trace's `columns` and the transcript's
/// `challenges`, masks every base coordinate in a hiding proof, extends it and commits to it
/// (`None` for an AIR without one). The main columns are dropped once it is built.
pub(crate) fn commit_aux_trace<E, H, A>(
    air: &A,
    columns: Option<Columns<'_>>,
    challenges: &[E],
    shape: &ProofShape,
    hiding: Hiding<'_>,
    report: &mut ProvingReport,
) -> Result<Option<AuxTrace<H>>, ProverError>
where
    E: FieldElement<BaseField = Felt>,
    H: RowHasher,
    A: Air,
{
    let (n, blowup) = (shape.n, shape.lde_size / shape.n);
    let width = shape.aux_width;
    if width == 0 {
        return Ok(None);
    }
    let aux = report.time("auxiliary segment", || air.build_aux(columns.as_deref().unwrap_or_default(), challenges));
    drop(columns);
    if aux.len() != width || aux.iter().any(|c| c.len() != n) {
        return Err(ProverError::TraceShape);
    }
    // the auxiliary LDE is stored like the trace's: its varying base coordinates, coset by coset
    let all: Vec<usize> = (0..width * E::EXTENSION_DEGREE).collect();
    let (coefficients, layout, stored) =
        report.time("auxiliary segment", || aux_lde(&aux, &hiding.masks(Purpose::AuxMask, &all), blowup));
    drop(aux);
    let tree = report.time("auxiliary segment", || {
        let leaves = stored_leaves::<H>(&stored, &layout, &NO_EXTRAS, (n, blowup), hiding.salts(Purpose::AuxSalt));
        PartialTree::<H>::build(shape.lde_size, RECOMPUTED_LEVELS, &leaves).map_err(commitment_error)
    })?;
    Ok(Some(AuxTrace { coefficients, layout, stored, tree }))
}

/// An auxiliary segment has no masked constant columns: every coordinate is stored.
static NO_EXTRAS: dft::Extras = dft::Extras::EMPTY;

impl<H: RowHasher> AuxTrace<H> {
    /// Opens the rows at LDE `positions`, with their salts in a hiding proof (step 9), from the
    /// stored LDE; the tree's unstored levels are recomputed from it.
    pub(crate) fn open(
        &self,
        positions: &[usize],
        shape: &ProofShape,
        hiding: Hiding<'_>,
    ) -> Result<Openings, ProverError> {
        let (n, blowup) = (shape.n, shape.lde_size / shape.n);
        let salts = hiding.salts(Purpose::AuxSalt);
        let leaves = stored_leaves::<H>(&self.stored, &self.layout, &NO_EXTRAS, (n, blowup), salts);
        let values = stored_values(&self.stored, &self.layout, positions, n, blowup);
        open_values::<H>(&self.tree, Some(&leaves), values, shape.aux_width * shape.extension, salts, positions)
    }
}
