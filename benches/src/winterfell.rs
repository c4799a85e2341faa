//! Distaff traces proven and verified by Winterfell (0.13): the worked example of
//! `distaff_air::winterfell`, which adapts the VM's AIR to `winter_air::Air`.
//!
//! A Winterfell prover needs three things beyond the AIR: the main trace (the processor's
//! columns, as a `TraceTable`), the auxiliary columns (built by [`Air::build_aux`] from
//! Winterfell's random elements and the derived challenges) and the claim. The rest (LDE,
//! commitments, constraint evaluation, DEEP, FRI) is Winterfell's default machinery, with
//! BLAKE3 commitments.

use distaff_air::air::{Air, ProcessorAir, Variant};
use distaff_air::winterfell::{aux_challenges, Claim, WinterfellAir};
use distaff_air::PublicInputs;
use distaff_math::Felt;
use winter_air::{AuxRandElements, FieldExtension, PartitionOptions, ProofOptions as WinterOptions, TraceInfo};
use winter_crypto::{hashers::Blake3_256, DefaultRandomCoin, MerkleTree};
use winter_math::FieldElement;
use winter_prover::matrix::ColMatrix;
use winter_prover::{
    CompositionPoly, CompositionPolyTrace, ConstraintCompositionCoefficients, DefaultConstraintCommitment,
    DefaultConstraintEvaluator, DefaultTraceLde, EvaluationFrame, Proof, Prover, StarkDomain, Trace, TracePolyTable,
};

/// The adapted AIR of the VM.
pub type VmAir = WinterfellAir<ProcessorAir>;
/// The commitment hash (the one our default preset uses).
pub type Hash = Blake3_256<Felt>;
type Coin = DefaultRandomCoin<Hash>;
type Commitment = MerkleTree<Hash>;

/// Winterfell's options for ours: the same blowup, queries, grinding, extension and FRI shape.
/// Winterfell's proofs do not hide, so compare with ours made `without_hiding`.
pub fn winter_options(ours: &distaff_prover::ProofOptions) -> WinterOptions {
    let extension = match ours.extension {
        distaff_prover::FieldExtension::Quadratic => FieldExtension::Quadratic,
        distaff_prover::FieldExtension::Cubic => FieldExtension::Cubic,
    };
    WinterOptions::new(
        ours.num_queries,
        ours.blowup_factor,
        ours.grinding_bits,
        extension,
        ours.fri_folding_factor,
        ours.fri_remainder_max_degree,
        winter_air::BatchingMethod::Linear,
        winter_air::BatchingMethod::Linear,
    )
}

/// Proves traces of an AIR of ours (by default the VM's) with Winterfell's prover.
pub struct WinterfellProver<A = ProcessorAir> {
    options: WinterOptions,
    air: A,
}

impl WinterfellProver {
    /// A prover of `columns` (a processor trace) for `claim`, in the AIR variant the trace needs.
    pub fn new(claim: PublicInputs, columns: &[Vec<Felt>], options: WinterOptions) -> Self {
        WinterfellProver { options, air: ProcessorAir::for_trace(claim, columns) }
    }
}

impl<A: Air + Clone + Send> WinterfellProver<A> {
    /// A prover for any AIR of ours (its claim included).
    pub fn for_air(air: A, options: WinterOptions) -> Self {
        WinterfellProver { options, air }
    }

    /// The AIR (with its variant) the proof is for.
    pub fn air(&self) -> &A {
        &self.air
    }

    /// The trace as Winterfell takes it.
    pub fn trace(&self, columns: Vec<Vec<Felt>>) -> VmTrace {
        VmTrace { info: trace_info(&self.air), main: ColMatrix::new(columns) }
    }
}

/// A processor trace for Winterfell's prover: the main columns and the shape of the whole
/// trace (Winterfell's `TraceTable` describes a main segment only).
pub struct VmTrace {
    info: TraceInfo,
    main: ColMatrix<Felt>,
}

impl Trace for VmTrace {
    type BaseField = Felt;
    fn info(&self) -> &TraceInfo {
        &self.info
    }
    fn main_segment(&self) -> &ColMatrix<Felt> {
        &self.main
    }
    fn read_main_frame(&self, row: usize, frame: &mut EvaluationFrame<Felt>) {
        let next = (row + 1) % self.info.length();
        self.main.read_row_into(row, frame.current_mut());
        self.main.read_row_into(next, frame.next_mut());
    }
}

/// The trace shape of a claim's proof: widths, length and random elements.
pub fn trace_info<A: Air>(air: &A) -> TraceInfo {
    if air.aux_width() == 0 {
        return TraceInfo::new(air.main_width(), air.trace_length());
    }
    TraceInfo::new_multi_segment(
        air.main_width(),
        air.aux_width(),
        air.num_aux_challenges(),
        air.trace_length(),
        vec![],
    )
}

impl<A: Air + Clone + Send + 'static> Prover for WinterfellProver<A> {
    type BaseField = Felt;
    type Air = WinterfellAir<A>;
    type Trace = VmTrace;
    type HashFn = Hash;
    type VC = Commitment;
    type RandomCoin = Coin;
    type TraceLde<E: FieldElement<BaseField = Felt>> = DefaultTraceLde<E, Hash, Commitment>;
    type ConstraintCommitment<E: FieldElement<BaseField = Felt>> = DefaultConstraintCommitment<E, Hash, Commitment>;
    type ConstraintEvaluator<'a, E: FieldElement<BaseField = Felt>> =
        DefaultConstraintEvaluator<'a, WinterfellAir<A>, E>;

    fn get_pub_inputs(&self, _trace: &Self::Trace) -> Claim<A> {
        Claim(self.air.clone())
    }

    fn options(&self) -> &WinterOptions {
        &self.options
    }

    fn new_trace_lde<E: FieldElement<BaseField = Felt>>(
        &self,
        trace_info: &TraceInfo,
        main_trace: &ColMatrix<Felt>,
        domain: &StarkDomain<Felt>,
        partition_option: PartitionOptions,
    ) -> (Self::TraceLde<E>, TracePolyTable<E>) {
        DefaultTraceLde::new(trace_info, main_trace, domain, partition_option)
    }

    fn new_evaluator<'a, E: FieldElement<BaseField = Felt>>(
        &self,
        air: &'a WinterfellAir<A>,
        aux_rand_elements: Option<AuxRandElements<E>>,
        composition_coefficients: ConstraintCompositionCoefficients<E>,
    ) -> Self::ConstraintEvaluator<'a, E> {
        DefaultConstraintEvaluator::new(air, aux_rand_elements, composition_coefficients)
    }

    fn build_constraint_commitment<E: FieldElement<BaseField = Felt>>(
        &self,
        composition_poly_trace: CompositionPolyTrace<E>,
        num_constraint_composition_columns: usize,
        domain: &StarkDomain<Felt>,
        partition_options: PartitionOptions,
    ) -> (Self::ConstraintCommitment<E>, CompositionPoly<E>) {
        DefaultConstraintCommitment::new(
            composition_poly_trace,
            num_constraint_composition_columns,
            domain,
            partition_options,
        )
    }

    fn build_aux_trace<E: FieldElement<BaseField = Felt>>(
        &self,
        main_trace: &Self::Trace,
        aux_rand_elements: &AuxRandElements<E>,
    ) -> ColMatrix<E> {
        let main = main_trace.main_segment();
        let columns: Vec<Vec<Felt>> = (0..main.num_cols()).map(|i| main.get_column(i).to_vec()).collect();
        let challenges = aux_challenges(&self.air, aux_rand_elements.rand_elements());
        ColMatrix::new(self.air.build_aux(&columns, &challenges))
    }
}

/// Proves a processor trace of `claim` with Winterfell.
pub fn prove(claim: PublicInputs, columns: Vec<Vec<Felt>>, options: WinterOptions) -> Result<Proof, String> {
    let prover = WinterfellProver::new(claim, &columns, options);
    let trace = prover.trace(columns);
    prover.prove(trace).map_err(|e| e.to_string())
}

/// Verifies a Winterfell proof of `claim` with Winterfell's verifier, accepting only
/// `options`. As our verifier does, it refuses a claim larger than the stack (more than 16
/// public inputs or outputs, too much initial memory) or with unsorted memory, and takes the
/// AIR variant from the proof's shape; the shape must then be the claim's (the adapter is
/// built from it).
pub fn verify(proof: Proof, claim: PublicInputs, options: WinterOptions) -> Result<(), String> {
    use distaff_air::{MAX_INITIAL_MEMORY, MAX_OUTPUTS, MAX_PUBLIC_INPUTS};
    if claim.inputs.len() > MAX_PUBLIC_INPUTS
        || claim.outputs.len() > MAX_OUTPUTS
        || claim.memory.len() > MAX_INITIAL_MEMORY
    {
        return Err("the claim holds more than the stack or the initial memory can".into());
    }
    if !claim.memory_is_sorted() {
        return Err("the claim's initial memory is not sorted by address".into());
    }
    let info = proof.trace_info();
    let control = info.aux_segment_width() > 0;
    let variant = Variant::from_width(info.main_trace_width(), control).unwrap_or(Variant::Control);
    let air = ProcessorAir::with_variant(claim, info.length(), variant);
    let expected = trace_info(&air);
    let same_shape = info.main_trace_width() == expected.main_trace_width()
        && info.aux_segment_width() == expected.aux_segment_width()
        && info.get_num_aux_segment_rand_elements() == expected.get_num_aux_segment_rand_elements();
    if !same_shape {
        return Err("the proof's trace shape is not the claim's".into());
    }
    let acceptable = winter_verifier::AcceptableOptions::OptionSet(vec![options]);
    winter_verifier::verify::<VmAir, Hash, Coin, Commitment>(proof, Claim(air), &acceptable).map_err(|e| e.to_string())
}
