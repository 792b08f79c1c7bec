package dicom

// The registries below are facts from the DICOM standard: UIDs and names
// from PS3.6 Annex A (names without the trailing " SOP Class"), and the
// Modality (0008,0060) each Storage SOP Class's IOD carries, from PS3.3.

// kind is the service a SOP Class belongs to (PS3.4), as far as the roles
// derived from it care.
type kind uint8

const (
	kindOther        kind = iota
	kindVerification      // Verification Service Class (C-ECHO)
	kindStorage           // Storage Service Class and other non-patient storage (C-STORE)
	kindFind              // Query/Retrieve C-FIND
	kindMove              // Query/Retrieve C-MOVE
	kindGet               // Query/Retrieve C-GET
	kindWorklist          // Basic Worklist Management: Modality Worklist C-FIND
	kindMPPS              // Modality Performed Procedure Step (N-CREATE, N-SET)
	kindCommitment        // Storage Commitment (N-ACTION, N-EVENT-REPORT)
	kindPrint             // Print Management (N-CREATE, N-SET, N-ACTION…)
)

// sopClass is one entry of the SOP Class registry.
type sopClass struct {
	uid, name string
	kind      kind
	modality  string // the Modality its instances carry; "" when the IOD does not fix one
	acquired  bool   // made by the acquisition device itself, not derived on a workstation
}

// sopClasses lists the SOP Classes of PS3.6 Table A-1 that travel over a
// network, retired ones included when devices still send them. DICOS and
// DICONDE classes are left out. Rows run long: one SOP Class a line keeps
// the registry easy to grep and to check against the standard.
var sopClasses = []sopClass{
	{"1.2.840.10008.1.1", "Verification", kindVerification, "", false},
	{"1.2.840.10008.1.9", "Basic Study Content Notification (Retired)", kindOther, "", false},
	{"1.2.840.10008.1.20.1", "Storage Commitment Push Model", kindCommitment, "", false},
	{"1.2.840.10008.1.20.2", "Storage Commitment Pull Model (Retired)", kindCommitment, "", false},
	{"1.2.840.10008.1.40", "Procedural Event Logging", kindOther, "", false},
	{"1.2.840.10008.1.42", "Substance Administration Logging", kindOther, "", false},
	{"1.2.840.10008.3.1.2.3.3", "Modality Performed Procedure Step", kindMPPS, "", false},
	{"1.2.840.10008.3.1.2.3.4", "Modality Performed Procedure Step Retrieve", kindOther, "", false},
	{"1.2.840.10008.3.1.2.3.5", "Modality Performed Procedure Step Notification", kindOther, "", false},

	// Print Management (PS3.4 Annex H).
	{"1.2.840.10008.5.1.1.1", "Basic Film Session", kindPrint, "", false},
	{"1.2.840.10008.5.1.1.2", "Basic Film Box", kindPrint, "", false},
	{"1.2.840.10008.5.1.1.4", "Basic Grayscale Image Box", kindPrint, "", false},
	{"1.2.840.10008.5.1.1.4.1", "Basic Color Image Box", kindPrint, "", false},
	{"1.2.840.10008.5.1.1.4.2", "Referenced Image Box (Retired)", kindPrint, "", false},
	{"1.2.840.10008.5.1.1.9", "Basic Grayscale Print Management Meta", kindPrint, "", false},
	{"1.2.840.10008.5.1.1.9.1", "Referenced Grayscale Print Management Meta (Retired)", kindPrint, "", false},
	{"1.2.840.10008.5.1.1.14", "Print Job", kindPrint, "", false},
	{"1.2.840.10008.5.1.1.15", "Basic Annotation Box", kindPrint, "", false},
	{"1.2.840.10008.5.1.1.16", "Printer", kindPrint, "", false},
	{"1.2.840.10008.5.1.1.16.376", "Printer Configuration Retrieval", kindPrint, "", false},
	{"1.2.840.10008.5.1.1.18", "Basic Color Print Management Meta", kindPrint, "", false},
	{"1.2.840.10008.5.1.1.18.1", "Referenced Color Print Management Meta (Retired)", kindPrint, "", false},
	{"1.2.840.10008.5.1.1.22", "VOI LUT Box", kindPrint, "", false},
	{"1.2.840.10008.5.1.1.23", "Presentation LUT", kindPrint, "", false},
	{"1.2.840.10008.5.1.1.24", "Image Overlay Box (Retired)", kindPrint, "", false},
	{"1.2.840.10008.5.1.1.24.1", "Basic Print Image Overlay Box (Retired)", kindPrint, "", false},
	{"1.2.840.10008.5.1.1.26", "Print Queue Management (Retired)", kindPrint, "", false},
	{"1.2.840.10008.5.1.1.27", "Stored Print Storage (Retired)", kindStorage, "", false},
	{"1.2.840.10008.5.1.1.29", "Hardcopy Grayscale Image Storage (Retired)", kindStorage, "HC", false},
	{"1.2.840.10008.5.1.1.30", "Hardcopy Color Image Storage (Retired)", kindStorage, "HC", false},
	{"1.2.840.10008.5.1.1.31", "Pull Print Request (Retired)", kindPrint, "", false},
	{"1.2.840.10008.5.1.1.32", "Pull Stored Print Management Meta (Retired)", kindPrint, "", false},
	{"1.2.840.10008.5.1.1.33", "Media Creation Management", kindOther, "", false},
	{"1.2.840.10008.5.1.1.40", "Display System", kindOther, "", false},

	// Storage (PS3.4 Annex B).
	{"1.2.840.10008.5.1.4.1.1.1", "Computed Radiography Image Storage", kindStorage, "CR", true},
	{"1.2.840.10008.5.1.4.1.1.1.1", "Digital X-Ray Image Storage - For Presentation", kindStorage, "DX", true},
	{"1.2.840.10008.5.1.4.1.1.1.1.1", "Digital X-Ray Image Storage - For Processing", kindStorage, "DX", true},
	{"1.2.840.10008.5.1.4.1.1.1.2", "Digital Mammography X-Ray Image Storage - For Presentation", kindStorage, "MG", true},
	{"1.2.840.10008.5.1.4.1.1.1.2.1", "Digital Mammography X-Ray Image Storage - For Processing", kindStorage, "MG", true},
	{"1.2.840.10008.5.1.4.1.1.1.3", "Digital Intra-Oral X-Ray Image Storage - For Presentation", kindStorage, "IO", true},
	{"1.2.840.10008.5.1.4.1.1.1.3.1", "Digital Intra-Oral X-Ray Image Storage - For Processing", kindStorage, "IO", true},
	{"1.2.840.10008.5.1.4.1.1.2", "CT Image Storage", kindStorage, "CT", true},
	{"1.2.840.10008.5.1.4.1.1.2.1", "Enhanced CT Image Storage", kindStorage, "CT", true},
	{"1.2.840.10008.5.1.4.1.1.2.2", "Legacy Converted Enhanced CT Image Storage", kindStorage, "CT", false},
	{"1.2.840.10008.5.1.4.1.1.3", "Ultrasound Multi-frame Image Storage (Retired)", kindStorage, "US", true},
	{"1.2.840.10008.5.1.4.1.1.3.1", "Ultrasound Multi-frame Image Storage", kindStorage, "US", true},
	{"1.2.840.10008.5.1.4.1.1.4", "MR Image Storage", kindStorage, "MR", true},
	{"1.2.840.10008.5.1.4.1.1.4.1", "Enhanced MR Image Storage", kindStorage, "MR", true},
	{"1.2.840.10008.5.1.4.1.1.4.2", "MR Spectroscopy Storage", kindStorage, "MR", true},
	{"1.2.840.10008.5.1.4.1.1.4.3", "Enhanced MR Color Image Storage", kindStorage, "MR", true},
	{"1.2.840.10008.5.1.4.1.1.4.4", "Legacy Converted Enhanced MR Image Storage", kindStorage, "MR", false},
	{"1.2.840.10008.5.1.4.1.1.5", "Nuclear Medicine Image Storage (Retired)", kindStorage, "NM", true},
	{"1.2.840.10008.5.1.4.1.1.6", "Ultrasound Image Storage (Retired)", kindStorage, "US", true},
	{"1.2.840.10008.5.1.4.1.1.6.1", "Ultrasound Image Storage", kindStorage, "US", true},
	{"1.2.840.10008.5.1.4.1.1.6.2", "Enhanced US Volume Storage", kindStorage, "US", true},
	{"1.2.840.10008.5.1.4.1.1.6.3", "Photoacoustic Image Storage", kindStorage, "PA", true},
	{"1.2.840.10008.5.1.4.1.1.7", "Secondary Capture Image Storage", kindStorage, "", false},
	{"1.2.840.10008.5.1.4.1.1.7.1", "Multi-frame Single Bit Secondary Capture Image Storage", kindStorage, "", false},
	{"1.2.840.10008.5.1.4.1.1.7.2", "Multi-frame Grayscale Byte Secondary Capture Image Storage", kindStorage, "", false},
	{"1.2.840.10008.5.1.4.1.1.7.3", "Multi-frame Grayscale Word Secondary Capture Image Storage", kindStorage, "", false},
	{"1.2.840.10008.5.1.4.1.1.7.4", "Multi-frame True Color Secondary Capture Image Storage", kindStorage, "", false},
	{"1.2.840.10008.5.1.4.1.1.8", "Standalone Overlay Storage (Retired)", kindStorage, "", false},
	{"1.2.840.10008.5.1.4.1.1.9", "Standalone Curve Storage (Retired)", kindStorage, "", false},
	{"1.2.840.10008.5.1.4.1.1.9.1.1", "12-lead ECG Waveform Storage", kindStorage, "ECG", true},
	{"1.2.840.10008.5.1.4.1.1.9.1.2", "General ECG Waveform Storage", kindStorage, "ECG", true},
	{"1.2.840.10008.5.1.4.1.1.9.1.3", "Ambulatory ECG Waveform Storage", kindStorage, "ECG", true},
	{"1.2.840.10008.5.1.4.1.1.9.1.4", "General 32-bit ECG Waveform Storage", kindStorage, "ECG", true},
	{"1.2.840.10008.5.1.4.1.1.9.2.1", "Hemodynamic Waveform Storage", kindStorage, "HD", true},
	{"1.2.840.10008.5.1.4.1.1.9.3.1", "Cardiac Electrophysiology Waveform Storage", kindStorage, "EPS", true},
	{"1.2.840.10008.5.1.4.1.1.9.4.1", "Basic Voice Audio Waveform Storage", kindStorage, "AU", false},
	{"1.2.840.10008.5.1.4.1.1.9.4.2", "General Audio Waveform Storage", kindStorage, "AU", false},
	{"1.2.840.10008.5.1.4.1.1.9.5.1", "Arterial Pulse Waveform Storage", kindStorage, "", true},
	{"1.2.840.10008.5.1.4.1.1.9.6.1", "Respiratory Waveform Storage", kindStorage, "RESP", true},
	{"1.2.840.10008.5.1.4.1.1.9.6.2", "Multi-channel Respiratory Waveform Storage", kindStorage, "RESP", true},
	{"1.2.840.10008.5.1.4.1.1.9.7.1", "Routine Scalp Electroencephalogram Waveform Storage", kindStorage, "EEG", true},
	{"1.2.840.10008.5.1.4.1.1.9.7.2", "Electromyogram Waveform Storage", kindStorage, "EMG", true},
	{"1.2.840.10008.5.1.4.1.1.9.7.3", "Electrooculogram Waveform Storage", kindStorage, "EOG", true},
	{"1.2.840.10008.5.1.4.1.1.9.7.4", "Sleep Electroencephalogram Waveform Storage", kindStorage, "EEG", true},
	{"1.2.840.10008.5.1.4.1.1.9.8.1", "Body Position Waveform Storage", kindStorage, "", false},
	{"1.2.840.10008.5.1.4.1.1.10", "Standalone Modality LUT Storage (Retired)", kindStorage, "", false},
	{"1.2.840.10008.5.1.4.1.1.11", "Standalone VOI LUT Storage (Retired)", kindStorage, "", false},
	{"1.2.840.10008.5.1.4.1.1.11.1", "Grayscale Softcopy Presentation State Storage", kindStorage, "PR", false},
	{"1.2.840.10008.5.1.4.1.1.11.2", "Color Softcopy Presentation State Storage", kindStorage, "PR", false},
	{"1.2.840.10008.5.1.4.1.1.11.3", "Pseudo-Color Softcopy Presentation State Storage", kindStorage, "PR", false},
	{"1.2.840.10008.5.1.4.1.1.11.4", "Blending Softcopy Presentation State Storage", kindStorage, "PR", false},
	{"1.2.840.10008.5.1.4.1.1.11.5", "XA/XRF Grayscale Softcopy Presentation State Storage", kindStorage, "PR", false},
	{"1.2.840.10008.5.1.4.1.1.11.6", "Grayscale Planar MPR Volumetric Presentation State Storage", kindStorage, "PR", false},
	{"1.2.840.10008.5.1.4.1.1.11.7", "Compositing Planar MPR Volumetric Presentation State Storage", kindStorage, "PR", false},
	{"1.2.840.10008.5.1.4.1.1.11.8", "Advanced Blending Presentation State Storage", kindStorage, "PR", false},
	{"1.2.840.10008.5.1.4.1.1.11.9", "Volume Rendering Volumetric Presentation State Storage", kindStorage, "PR", false},
	{"1.2.840.10008.5.1.4.1.1.11.10", "Segmented Volume Rendering Volumetric Presentation State Storage", kindStorage, "PR", false},
	{"1.2.840.10008.5.1.4.1.1.11.11", "Multiple Volume Rendering Volumetric Presentation State Storage", kindStorage, "PR", false},
	{"1.2.840.10008.5.1.4.1.1.11.12", "Variable Modality LUT Softcopy Presentation State Storage", kindStorage, "PR", false},
	{"1.2.840.10008.5.1.4.1.1.12.1", "X-Ray Angiographic Image Storage", kindStorage, "XA", true},
	{"1.2.840.10008.5.1.4.1.1.12.1.1", "Enhanced XA Image Storage", kindStorage, "XA", true},
	{"1.2.840.10008.5.1.4.1.1.12.2", "X-Ray Radiofluoroscopic Image Storage", kindStorage, "RF", true},
	{"1.2.840.10008.5.1.4.1.1.12.2.1", "Enhanced XRF Image Storage", kindStorage, "RF", true},
	{"1.2.840.10008.5.1.4.1.1.12.3", "X-Ray Angiographic Bi-Plane Image Storage (Retired)", kindStorage, "XA", true},
	{"1.2.840.10008.5.1.4.1.1.13.1.1", "X-Ray 3D Angiographic Image Storage", kindStorage, "", false},
	{"1.2.840.10008.5.1.4.1.1.13.1.2", "X-Ray 3D Craniofacial Image Storage", kindStorage, "", false},
	{"1.2.840.10008.5.1.4.1.1.13.1.3", "Breast Tomosynthesis Image Storage", kindStorage, "MG", true},
	{"1.2.840.10008.5.1.4.1.1.13.1.4", "Breast Projection X-Ray Image Storage - For Presentation", kindStorage, "MG", true},
	{"1.2.840.10008.5.1.4.1.1.13.1.5", "Breast Projection X-Ray Image Storage - For Processing", kindStorage, "MG", true},
	{"1.2.840.10008.5.1.4.1.1.14.1", "Intravascular Optical Coherence Tomography Image Storage - For Presentation", kindStorage, "IVOCT", true},
	{"1.2.840.10008.5.1.4.1.1.14.2", "Intravascular Optical Coherence Tomography Image Storage - For Processing", kindStorage, "IVOCT", true},
	{"1.2.840.10008.5.1.4.1.1.20", "Nuclear Medicine Image Storage", kindStorage, "NM", true},
	{"1.2.840.10008.5.1.4.1.1.30", "Parametric Map Storage", kindStorage, "", false},
	{"1.2.840.10008.5.1.4.1.1.66", "Raw Data Storage", kindStorage, "", false},
	{"1.2.840.10008.5.1.4.1.1.66.1", "Spatial Registration Storage", kindStorage, "REG", false},
	{"1.2.840.10008.5.1.4.1.1.66.2", "Spatial Fiducials Storage", kindStorage, "FID", false},
	{"1.2.840.10008.5.1.4.1.1.66.3", "Deformable Spatial Registration Storage", kindStorage, "REG", false},
	{"1.2.840.10008.5.1.4.1.1.66.4", "Segmentation Storage", kindStorage, "SEG", false},
	{"1.2.840.10008.5.1.4.1.1.66.5", "Surface Segmentation Storage", kindStorage, "SEG", false},
	{"1.2.840.10008.5.1.4.1.1.66.6", "Tractography Results Storage", kindStorage, "", false},
	{"1.2.840.10008.5.1.4.1.1.66.7", "Label Map Segmentation Storage", kindStorage, "SEG", false},
	{"1.2.840.10008.5.1.4.1.1.66.8", "Height Map Segmentation Storage", kindStorage, "SEG", false},
	{"1.2.840.10008.5.1.4.1.1.67", "Real World Value Mapping Storage", kindStorage, "RWV", false},
	{"1.2.840.10008.5.1.4.1.1.68.1", "Surface Scan Mesh Storage", kindStorage, "", true},
	{"1.2.840.10008.5.1.4.1.1.68.2", "Surface Scan Point Cloud Storage", kindStorage, "", true},
	{"1.2.840.10008.5.1.4.1.1.77.1", "VL Image Storage - Trial (Retired)", kindStorage, "", false},
	{"1.2.840.10008.5.1.4.1.1.77.2", "VL Multi-frame Image Storage - Trial (Retired)", kindStorage, "", false},
	{"1.2.840.10008.5.1.4.1.1.77.1.1", "VL Endoscopic Image Storage", kindStorage, "ES", true},
	{"1.2.840.10008.5.1.4.1.1.77.1.1.1", "Video Endoscopic Image Storage", kindStorage, "ES", true},
	{"1.2.840.10008.5.1.4.1.1.77.1.2", "VL Microscopic Image Storage", kindStorage, "GM", true},
	{"1.2.840.10008.5.1.4.1.1.77.1.2.1", "Video Microscopic Image Storage", kindStorage, "GM", true},
	{"1.2.840.10008.5.1.4.1.1.77.1.3", "VL Slide-Coordinates Microscopic Image Storage", kindStorage, "SM", true},
	{"1.2.840.10008.5.1.4.1.1.77.1.4", "VL Photographic Image Storage", kindStorage, "XC", true},
	{"1.2.840.10008.5.1.4.1.1.77.1.4.1", "Video Photographic Image Storage", kindStorage, "XC", true},
	{"1.2.840.10008.5.1.4.1.1.77.1.5.1", "Ophthalmic Photography 8 Bit Image Storage", kindStorage, "OP", true},
	{"1.2.840.10008.5.1.4.1.1.77.1.5.2", "Ophthalmic Photography 16 Bit Image Storage", kindStorage, "OP", true},
	{"1.2.840.10008.5.1.4.1.1.77.1.5.3", "Stereometric Relationship Storage", kindStorage, "", false},
	{"1.2.840.10008.5.1.4.1.1.77.1.5.4", "Ophthalmic Tomography Image Storage", kindStorage, "OPT", true},
	{"1.2.840.10008.5.1.4.1.1.77.1.5.5", "Wide Field Ophthalmic Photography Stereographic Projection Image Storage", kindStorage, "", true},
	{"1.2.840.10008.5.1.4.1.1.77.1.5.6", "Wide Field Ophthalmic Photography 3D Coordinates Image Storage", kindStorage, "", true},
	{"1.2.840.10008.5.1.4.1.1.77.1.5.7", "Ophthalmic Optical Coherence Tomography En Face Image Storage", kindStorage, "", false},
	{"1.2.840.10008.5.1.4.1.1.77.1.5.8", "Ophthalmic Optical Coherence Tomography B-scan Volume Analysis Storage", kindStorage, "", false},
	{"1.2.840.10008.5.1.4.1.1.77.1.6", "VL Whole Slide Microscopy Image Storage", kindStorage, "SM", true},
	{"1.2.840.10008.5.1.4.1.1.77.1.7", "Dermoscopic Photography Image Storage", kindStorage, "", true},
	{"1.2.840.10008.5.1.4.1.1.77.1.8", "Confocal Microscopy Image Storage", kindStorage, "", true},
	{"1.2.840.10008.5.1.4.1.1.77.1.9", "Confocal Microscopy Tiled Pyramidal Image Storage", kindStorage, "", true},
	{"1.2.840.10008.5.1.4.1.1.78.1", "Lensometry Measurements Storage", kindStorage, "LEN", true},
	{"1.2.840.10008.5.1.4.1.1.78.2", "Autorefraction Measurements Storage", kindStorage, "AR", true},
	{"1.2.840.10008.5.1.4.1.1.78.3", "Keratometry Measurements Storage", kindStorage, "KER", true},
	{"1.2.840.10008.5.1.4.1.1.78.4", "Subjective Refraction Measurements Storage", kindStorage, "SRF", true},
	{"1.2.840.10008.5.1.4.1.1.78.5", "Visual Acuity Measurements Storage", kindStorage, "VA", true},
	{"1.2.840.10008.5.1.4.1.1.78.6", "Spectacle Prescription Report Storage", kindStorage, "", false},
	{"1.2.840.10008.5.1.4.1.1.78.7", "Ophthalmic Axial Measurements Storage", kindStorage, "OAM", true},
	{"1.2.840.10008.5.1.4.1.1.78.8", "Intraocular Lens Calculations Storage", kindStorage, "IOL", true},
	{"1.2.840.10008.5.1.4.1.1.79.1", "Macular Grid Thickness and Volume Report Storage", kindStorage, "", false},
	{"1.2.840.10008.5.1.4.1.1.80.1", "Ophthalmic Visual Field Static Perimetry Measurements Storage", kindStorage, "OPV", true},
	{"1.2.840.10008.5.1.4.1.1.81.1", "Ophthalmic Thickness Map Storage", kindStorage, "OPM", true},
	{"1.2.840.10008.5.1.4.1.1.82.1", "Corneal Topography Map Storage", kindStorage, "", true},
	{"1.2.840.10008.5.1.4.1.1.88.11", "Basic Text SR Storage", kindStorage, "SR", false},
	{"1.2.840.10008.5.1.4.1.1.88.22", "Enhanced SR Storage", kindStorage, "SR", false},
	{"1.2.840.10008.5.1.4.1.1.88.33", "Comprehensive SR Storage", kindStorage, "SR", false},
	{"1.2.840.10008.5.1.4.1.1.88.34", "Comprehensive 3D SR Storage", kindStorage, "SR", false},
	{"1.2.840.10008.5.1.4.1.1.88.35", "Extensible SR Storage", kindStorage, "SR", false},
	{"1.2.840.10008.5.1.4.1.1.88.40", "Procedure Log Storage", kindStorage, "SR", false},
	{"1.2.840.10008.5.1.4.1.1.88.50", "Mammography CAD SR Storage", kindStorage, "SR", false},
	{"1.2.840.10008.5.1.4.1.1.88.59", "Key Object Selection Document Storage", kindStorage, "KO", false},
	{"1.2.840.10008.5.1.4.1.1.88.65", "Chest CAD SR Storage", kindStorage, "SR", false},
	{"1.2.840.10008.5.1.4.1.1.88.67", "X-Ray Radiation Dose SR Storage", kindStorage, "SR", false},
	{"1.2.840.10008.5.1.4.1.1.88.68", "Radiopharmaceutical Radiation Dose SR Storage", kindStorage, "SR", false},
	{"1.2.840.10008.5.1.4.1.1.88.69", "Colon CAD SR Storage", kindStorage, "SR", false},
	{"1.2.840.10008.5.1.4.1.1.88.70", "Implantation Plan SR Storage", kindStorage, "SR", false},
	{"1.2.840.10008.5.1.4.1.1.88.71", "Acquisition Context SR Storage", kindStorage, "SR", false},
	{"1.2.840.10008.5.1.4.1.1.88.72", "Simplified Adult Echo SR Storage", kindStorage, "SR", false},
	{"1.2.840.10008.5.1.4.1.1.88.73", "Patient Radiation Dose SR Storage", kindStorage, "SR", false},
	{"1.2.840.10008.5.1.4.1.1.88.74", "Planned Imaging Agent Administration SR Storage", kindStorage, "SR", false},
	{"1.2.840.10008.5.1.4.1.1.88.75", "Performed Imaging Agent Administration SR Storage", kindStorage, "SR", false},
	{"1.2.840.10008.5.1.4.1.1.88.76", "Enhanced X-Ray Radiation Dose SR Storage", kindStorage, "SR", false},
	{"1.2.840.10008.5.1.4.1.1.88.77", "Waveform Annotation SR Storage", kindStorage, "SR", false},
	{"1.2.840.10008.5.1.4.1.1.90.1", "Content Assessment Results Storage", kindStorage, "", false},
	{"1.2.840.10008.5.1.4.1.1.91.1", "Microscopy Bulk Simple Annotations Storage", kindStorage, "", false},
	{"1.2.840.10008.5.1.4.1.1.104.1", "Encapsulated PDF Storage", kindStorage, "DOC", false},
	{"1.2.840.10008.5.1.4.1.1.104.2", "Encapsulated CDA Storage", kindStorage, "DOC", false},
	{"1.2.840.10008.5.1.4.1.1.104.3", "Encapsulated STL Storage", kindStorage, "M3D", false},
	{"1.2.840.10008.5.1.4.1.1.104.4", "Encapsulated OBJ Storage", kindStorage, "M3D", false},
	{"1.2.840.10008.5.1.4.1.1.104.5", "Encapsulated MTL Storage", kindStorage, "M3D", false},
	{"1.2.840.10008.5.1.4.1.1.128", "Positron Emission Tomography Image Storage", kindStorage, "PT", true},
	{"1.2.840.10008.5.1.4.1.1.128.1", "Legacy Converted Enhanced PET Image Storage", kindStorage, "PT", false},
	{"1.2.840.10008.5.1.4.1.1.129", "Standalone PET Curve Storage (Retired)", kindStorage, "PT", false},
	{"1.2.840.10008.5.1.4.1.1.130", "Enhanced PET Image Storage", kindStorage, "PT", true},
	{"1.2.840.10008.5.1.4.1.1.131", "Basic Structured Display Storage", kindStorage, "", false},
	{"1.2.840.10008.5.1.4.1.1.200.1", "CT Defined Procedure Protocol Storage", kindStorage, "", false},
	{"1.2.840.10008.5.1.4.1.1.200.2", "CT Performed Procedure Protocol Storage", kindStorage, "", false},
	{"1.2.840.10008.5.1.4.1.1.200.3", "Protocol Approval Storage", kindStorage, "", false},
	{"1.2.840.10008.5.1.4.1.1.200.4", "Protocol Approval Information Model - FIND", kindOther, "", false},
	{"1.2.840.10008.5.1.4.1.1.200.5", "Protocol Approval Information Model - MOVE", kindOther, "", false},
	{"1.2.840.10008.5.1.4.1.1.200.6", "Protocol Approval Information Model - GET", kindOther, "", false},
	{"1.2.840.10008.5.1.4.1.1.200.7", "XA Defined Procedure Protocol Storage", kindStorage, "", false},
	{"1.2.840.10008.5.1.4.1.1.200.8", "XA Performed Procedure Protocol Storage", kindStorage, "", false},
	{"1.2.840.10008.5.1.4.1.1.201.1", "Inventory Storage", kindStorage, "", false},
	{"1.2.840.10008.5.1.4.1.1.201.2", "Inventory - FIND", kindOther, "", false},
	{"1.2.840.10008.5.1.4.1.1.201.3", "Inventory - MOVE", kindOther, "", false},
	{"1.2.840.10008.5.1.4.1.1.201.4", "Inventory - GET", kindOther, "", false},
	{"1.2.840.10008.5.1.4.1.1.201.5", "Inventory Creation", kindOther, "", false},
	{"1.2.840.10008.5.1.4.1.1.201.6", "Repository Query", kindOther, "", false},
	{"1.2.840.10008.5.1.4.1.1.481.1", "RT Image Storage", kindStorage, "RTIMAGE", true},
	{"1.2.840.10008.5.1.4.1.1.481.2", "RT Dose Storage", kindStorage, "RTDOSE", false},
	{"1.2.840.10008.5.1.4.1.1.481.3", "RT Structure Set Storage", kindStorage, "RTSTRUCT", false},
	{"1.2.840.10008.5.1.4.1.1.481.4", "RT Beams Treatment Record Storage", kindStorage, "RTRECORD", false},
	{"1.2.840.10008.5.1.4.1.1.481.5", "RT Plan Storage", kindStorage, "RTPLAN", false},
	{"1.2.840.10008.5.1.4.1.1.481.6", "RT Brachy Treatment Record Storage", kindStorage, "RTRECORD", false},
	{"1.2.840.10008.5.1.4.1.1.481.7", "RT Treatment Summary Record Storage", kindStorage, "RTRECORD", false},
	{"1.2.840.10008.5.1.4.1.1.481.8", "RT Ion Plan Storage", kindStorage, "RTPLAN", false},
	{"1.2.840.10008.5.1.4.1.1.481.9", "RT Ion Beams Treatment Record Storage", kindStorage, "RTRECORD", false},
	{"1.2.840.10008.5.1.4.1.1.481.10", "RT Physician Intent Storage", kindStorage, "", false},
	{"1.2.840.10008.5.1.4.1.1.481.11", "RT Segment Annotation Storage", kindStorage, "", false},
	{"1.2.840.10008.5.1.4.1.1.481.12", "RT Radiation Set Storage", kindStorage, "", false},
	{"1.2.840.10008.5.1.4.1.1.481.13", "C-Arm Photon-Electron Radiation Storage", kindStorage, "", false},
	{"1.2.840.10008.5.1.4.1.1.481.14", "Tomotherapeutic Radiation Storage", kindStorage, "", false},
	{"1.2.840.10008.5.1.4.1.1.481.15", "Robotic-Arm Radiation Storage", kindStorage, "", false},
	{"1.2.840.10008.5.1.4.1.1.481.16", "RT Radiation Record Set Storage", kindStorage, "", false},
	{"1.2.840.10008.5.1.4.1.1.481.17", "RT Radiation Salvage Record Storage", kindStorage, "", false},
	{"1.2.840.10008.5.1.4.1.1.481.18", "Tomotherapeutic Radiation Record Storage", kindStorage, "", false},
	{"1.2.840.10008.5.1.4.1.1.481.19", "C-Arm Photon-Electron Radiation Record Storage", kindStorage, "", false},
	{"1.2.840.10008.5.1.4.1.1.481.20", "Robotic Radiation Record Storage", kindStorage, "", false},
	{"1.2.840.10008.5.1.4.1.1.481.21", "RT Radiation Set Delivery Instruction Storage", kindStorage, "", false},
	{"1.2.840.10008.5.1.4.1.1.481.22", "RT Treatment Preparation Storage", kindStorage, "", false},
	{"1.2.840.10008.5.1.4.1.1.481.23", "Enhanced RT Image Storage", kindStorage, "RTIMAGE", true},
	{"1.2.840.10008.5.1.4.1.1.481.24", "Enhanced Continuous RT Image Storage", kindStorage, "RTIMAGE", true},
	{"1.2.840.10008.5.1.4.1.1.481.25", "RT Patient Position Acquisition Instruction Storage", kindStorage, "", false},

	// Query/Retrieve (PS3.4 Annex C) and worklists (Annex K).
	{"1.2.840.10008.5.1.4.1.2.1.1", "Patient Root Query/Retrieve Information Model - FIND", kindFind, "", false},
	{"1.2.840.10008.5.1.4.1.2.1.2", "Patient Root Query/Retrieve Information Model - MOVE", kindMove, "", false},
	{"1.2.840.10008.5.1.4.1.2.1.3", "Patient Root Query/Retrieve Information Model - GET", kindGet, "", false},
	{"1.2.840.10008.5.1.4.1.2.2.1", "Study Root Query/Retrieve Information Model - FIND", kindFind, "", false},
	{"1.2.840.10008.5.1.4.1.2.2.2", "Study Root Query/Retrieve Information Model - MOVE", kindMove, "", false},
	{"1.2.840.10008.5.1.4.1.2.2.3", "Study Root Query/Retrieve Information Model - GET", kindGet, "", false},
	{"1.2.840.10008.5.1.4.1.2.3.1", "Patient/Study Only Query/Retrieve Information Model - FIND (Retired)", kindFind, "", false},
	{"1.2.840.10008.5.1.4.1.2.3.2", "Patient/Study Only Query/Retrieve Information Model - MOVE (Retired)", kindMove, "", false},
	{"1.2.840.10008.5.1.4.1.2.3.3", "Patient/Study Only Query/Retrieve Information Model - GET (Retired)", kindGet, "", false},
	{"1.2.840.10008.5.1.4.1.2.4.2", "Composite Instance Root Retrieve - MOVE", kindMove, "", false},
	{"1.2.840.10008.5.1.4.1.2.4.3", "Composite Instance Root Retrieve - GET", kindGet, "", false},
	{"1.2.840.10008.5.1.4.1.2.5.3", "Composite Instance Retrieve Without Bulk Data - GET", kindGet, "", false},
	{"1.2.840.10008.5.1.4.20.1", "Defined Procedure Protocol Information Model - FIND", kindOther, "", false},
	{"1.2.840.10008.5.1.4.20.2", "Defined Procedure Protocol Information Model - MOVE", kindOther, "", false},
	{"1.2.840.10008.5.1.4.20.3", "Defined Procedure Protocol Information Model - GET", kindOther, "", false},
	{"1.2.840.10008.5.1.4.31", "Modality Worklist Information Model - FIND", kindWorklist, "", false},
	{"1.2.840.10008.5.1.4.32.1", "General Purpose Worklist Information Model - FIND (Retired)", kindOther, "", false},
	{"1.2.840.10008.5.1.4.32.2", "General Purpose Scheduled Procedure Step (Retired)", kindOther, "", false},
	{"1.2.840.10008.5.1.4.32.3", "General Purpose Performed Procedure Step (Retired)", kindOther, "", false},
	{"1.2.840.10008.5.1.4.33", "Instance Availability Notification", kindOther, "", false},
	{"1.2.840.10008.5.1.4.34.6.1", "Unified Procedure Step - Push", kindOther, "", false},
	{"1.2.840.10008.5.1.4.34.6.2", "Unified Procedure Step - Watch", kindOther, "", false},
	{"1.2.840.10008.5.1.4.34.6.3", "Unified Procedure Step - Pull", kindOther, "", false},
	{"1.2.840.10008.5.1.4.34.6.4", "Unified Procedure Step - Event", kindOther, "", false},
	{"1.2.840.10008.5.1.4.34.6.5", "Unified Procedure Step - Query", kindOther, "", false},
	{"1.2.840.10008.5.1.4.34.7", "RT Beams Delivery Instruction Storage", kindStorage, "", false},
	{"1.2.840.10008.5.1.4.34.8", "RT Conventional Machine Verification", kindOther, "", false},
	{"1.2.840.10008.5.1.4.34.9", "RT Ion Machine Verification", kindOther, "", false},
	{"1.2.840.10008.5.1.4.34.10", "RT Brachy Application Setup Delivery Instruction Storage", kindStorage, "", false},
	{"1.2.840.10008.5.1.4.37.1", "General Relevant Patient Information Query", kindOther, "", false},
	{"1.2.840.10008.5.1.4.37.2", "Breast Imaging Relevant Patient Information Query", kindOther, "", false},
	{"1.2.840.10008.5.1.4.37.3", "Cardiac Relevant Patient Information Query", kindOther, "", false},
	{"1.2.840.10008.5.1.4.38.1", "Hanging Protocol Storage", kindStorage, "", false},
	{"1.2.840.10008.5.1.4.38.2", "Hanging Protocol Information Model - FIND", kindOther, "", false},
	{"1.2.840.10008.5.1.4.38.3", "Hanging Protocol Information Model - MOVE", kindOther, "", false},
	{"1.2.840.10008.5.1.4.38.4", "Hanging Protocol Information Model - GET", kindOther, "", false},
	{"1.2.840.10008.5.1.4.39.1", "Color Palette Storage", kindStorage, "", false},
	{"1.2.840.10008.5.1.4.39.2", "Color Palette Query/Retrieve Information Model - FIND", kindOther, "", false},
	{"1.2.840.10008.5.1.4.39.3", "Color Palette Query/Retrieve Information Model - MOVE", kindOther, "", false},
	{"1.2.840.10008.5.1.4.39.4", "Color Palette Query/Retrieve Information Model - GET", kindOther, "", false},
	{"1.2.840.10008.5.1.4.41", "Product Characteristics Query", kindOther, "", false},
	{"1.2.840.10008.5.1.4.42", "Substance Approval Query", kindOther, "", false},
	{"1.2.840.10008.5.1.4.43.1", "Generic Implant Template Storage", kindStorage, "", false},
	{"1.2.840.10008.5.1.4.43.2", "Generic Implant Template Information Model - FIND", kindOther, "", false},
	{"1.2.840.10008.5.1.4.43.3", "Generic Implant Template Information Model - MOVE", kindOther, "", false},
	{"1.2.840.10008.5.1.4.43.4", "Generic Implant Template Information Model - GET", kindOther, "", false},
	{"1.2.840.10008.5.1.4.44.1", "Implant Assembly Template Storage", kindStorage, "", false},
	{"1.2.840.10008.5.1.4.44.2", "Implant Assembly Template Information Model - FIND", kindOther, "", false},
	{"1.2.840.10008.5.1.4.44.3", "Implant Assembly Template Information Model - MOVE", kindOther, "", false},
	{"1.2.840.10008.5.1.4.44.4", "Implant Assembly Template Information Model - GET", kindOther, "", false},
	{"1.2.840.10008.5.1.4.45.1", "Implant Template Group Storage", kindStorage, "", false},
	{"1.2.840.10008.5.1.4.45.2", "Implant Template Group Information Model - FIND", kindOther, "", false},
	{"1.2.840.10008.5.1.4.45.3", "Implant Template Group Information Model - MOVE", kindOther, "", false},
	{"1.2.840.10008.5.1.4.45.4", "Implant Template Group Information Model - GET", kindOther, "", false},
	{"1.2.840.10008.10.1", "Video Endoscopic Image Real-Time Communication", kindOther, "", false},
	{"1.2.840.10008.10.2", "Video Photographic Image Real-Time Communication", kindOther, "", false},
	{"1.2.840.10008.10.3", "Audio Waveform Real-Time Communication", kindOther, "", false},
	{"1.2.840.10008.10.4", "Rendition Selection Document Real-Time Communication", kindOther, "", false},
}

// transferSyntax is one entry of the Transfer Syntax registry.
type transferSyntax struct{ uid, name string }

// transferSyntaxes lists the Transfer Syntaxes of PS3.6 Table A-1. The
// retired JPEG processes 3 to 13 and 15 to 29 are left out.
var transferSyntaxes = []transferSyntax{
	{"1.2.840.10008.1.2", "Implicit VR Little Endian"},
	{"1.2.840.10008.1.2.1", "Explicit VR Little Endian"},
	{"1.2.840.10008.1.2.1.98", "Encapsulated Uncompressed Explicit VR Little Endian"},
	{"1.2.840.10008.1.2.1.99", "Deflated Explicit VR Little Endian"},
	{"1.2.840.10008.1.2.2", "Explicit VR Big Endian (Retired)"},
	{"1.2.840.10008.1.2.4.50", "JPEG Baseline (Process 1)"},
	{"1.2.840.10008.1.2.4.51", "JPEG Extended (Process 2 and 4)"},
	{"1.2.840.10008.1.2.4.57", "JPEG Lossless, Non-Hierarchical (Process 14)"},
	{"1.2.840.10008.1.2.4.70", "JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 [Selection Value 1])"},
	{"1.2.840.10008.1.2.4.80", "JPEG-LS Lossless Image Compression"},
	{"1.2.840.10008.1.2.4.81", "JPEG-LS Lossy (Near-Lossless) Image Compression"},
	{"1.2.840.10008.1.2.4.90", "JPEG 2000 Image Compression (Lossless Only)"},
	{"1.2.840.10008.1.2.4.91", "JPEG 2000 Image Compression"},
	{"1.2.840.10008.1.2.4.92", "JPEG 2000 Part 2 Multi-component Image Compression (Lossless Only)"},
	{"1.2.840.10008.1.2.4.93", "JPEG 2000 Part 2 Multi-component Image Compression"},
	{"1.2.840.10008.1.2.4.94", "JPIP Referenced"},
	{"1.2.840.10008.1.2.4.95", "JPIP Referenced Deflate"},
	{"1.2.840.10008.1.2.4.100", "MPEG2 Main Profile / Main Level"},
	{"1.2.840.10008.1.2.4.100.1", "Fragmentable MPEG2 Main Profile / Main Level"},
	{"1.2.840.10008.1.2.4.101", "MPEG2 Main Profile / High Level"},
	{"1.2.840.10008.1.2.4.101.1", "Fragmentable MPEG2 Main Profile / High Level"},
	{"1.2.840.10008.1.2.4.102", "MPEG-4 AVC/H.264 High Profile / Level 4.1"},
	{"1.2.840.10008.1.2.4.102.1", "Fragmentable MPEG-4 AVC/H.264 High Profile / Level 4.1"},
	{"1.2.840.10008.1.2.4.103", "MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1"},
	{"1.2.840.10008.1.2.4.103.1", "Fragmentable MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1"},
	{"1.2.840.10008.1.2.4.104", "MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video"},
	{"1.2.840.10008.1.2.4.104.1", "Fragmentable MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video"},
	{"1.2.840.10008.1.2.4.105", "MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video"},
	{"1.2.840.10008.1.2.4.105.1", "Fragmentable MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video"},
	{"1.2.840.10008.1.2.4.106", "MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2"},
	{"1.2.840.10008.1.2.4.106.1", "Fragmentable MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2"},
	{"1.2.840.10008.1.2.4.107", "HEVC/H.265 Main Profile / Level 5.1"},
	{"1.2.840.10008.1.2.4.108", "HEVC/H.265 Main 10 Profile / Level 5.1"},
	{"1.2.840.10008.1.2.4.110", "JPEG XL Lossless"},
	{"1.2.840.10008.1.2.4.111", "JPEG XL JPEG Recompression"},
	{"1.2.840.10008.1.2.4.112", "JPEG XL"},
	{"1.2.840.10008.1.2.4.201", "High-Throughput JPEG 2000 Image Compression (Lossless Only)"},
	{"1.2.840.10008.1.2.4.202", "High-Throughput JPEG 2000 with RPCL Options Image Compression (Lossless Only)"},
	{"1.2.840.10008.1.2.4.203", "High-Throughput JPEG 2000 Image Compression"},
	{"1.2.840.10008.1.2.4.204", "JPIP HTJ2K Referenced"},
	{"1.2.840.10008.1.2.4.205", "JPIP HTJ2K Referenced Deflate"},
	{"1.2.840.10008.1.2.5", "RLE Lossless"},
	{"1.2.840.10008.1.2.6.1", "RFC 2557 MIME encapsulation (Retired)"},
	{"1.2.840.10008.1.2.6.2", "XML Encoding (Retired)"},
	{"1.2.840.10008.1.2.7.1", "SMPTE ST 2110-20 Uncompressed Progressive Active Video"},
	{"1.2.840.10008.1.2.7.2", "SMPTE ST 2110-20 Uncompressed Interlaced Active Video"},
	{"1.2.840.10008.1.2.7.3", "SMPTE ST 2110-30 PCM Digital Audio"},
	{"1.2.840.10008.1.2.8.1", "Deflated Image Frame Compression"},
}

// applicationContext is the one application context name PS3.7 Annex A
// defines; any other is unusual enough to report.
const applicationContext = "1.2.840.10008.3.1.1.1"

// Indexes into the registries, built once.
var (
	sopIndex = make(map[string]int, len(sopClasses))
	tsIndex  = make(map[string]int, len(transferSyntaxes))
	// services holds the KeyService values of each SOP Class, by role.
	services [][2]string
)

func init() {
	services = make([][2]string, len(sopClasses))
	for i, c := range sopClasses {
		sopIndex[c.uid] = i
		services[i] = [2]string{"dicom:" + c.name + " SCU", "dicom:" + c.name + " SCP"}
	}
	for i, t := range transferSyntaxes {
		tsIndex[t.uid] = i
	}
}

// lookupSOP returns the index of uid in sopClasses, or -1.
func lookupSOP(uid []byte) int {
	if i, ok := sopIndex[string(uid)]; ok {
		return i
	}
	return -1
}

// lookupTS returns the index of uid in transferSyntaxes, or -1.
func lookupTS(uid []byte) int {
	if i, ok := tsIndex[string(uid)]; ok {
		return i
	}
	return -1
}
