'use strict';
// HL7 v2 message texts for the ward 7 lab capture. Every patient value here is
// a planted test value listed in testdata/captures/lab/planted.txt; device
// identifiers (OBX-18, PRT-10, PRT-16) are not patient data and are listed in
// testdata/captures/lab/SOURCE.md instead.

// Segments are built from field arrays so that field numbers stay readable:
// seg('PRT', {10: x}) puts x in PRT-10.
function seg(name, fields) {
  const max = Math.max(0, ...Object.keys(fields).map(Number));
  const out = [name];
  for (let i = 1; i <= max; i++) out.push(fields[i] ?? '');
  return out.join('|');
}

// MSH is special: MSH-1 is the field separator itself, so MSH-2 is the first
// value after the segment name.
function msh(fields) {
  const max = Math.max(...Object.keys(fields).map(Number));
  const out = ['MSH', '^~\\&'];
  for (let i = 3; i <= max; i++) out.push(fields[i] ?? '');
  return out.join('|');
}

const pcdProfile = 'IHE_PCD_001^IHE PCD^1.3.6.1.4.1.19376.1.6.1.1.1^ISO';
const gs1 = 'GS1^2.51.1.1^ISO';

const patient = {
  nhs: '9434765919',
  mrn: 'PLANTEDMRN0099',
  name: 'WARDTEST^PLANTED',
  dob: '19700101',
  address: '1 Planted Street^^PLANTEDTOWN^^ZZ99 9ZZ^GBR',
  phone: '07700900461',
  kin: 'KINTEST^PLANTED',
  kinPhone: '07700900462',
  doctor: 'C1234567^DOCTEST^PLANTED',
  visit: 'PLANTEDVISIT42',
};

function pid() {
  return seg('PID', {
    1: '1',
    3: `${patient.nhs}^^^NHS^NH~${patient.mrn}^^^WTH^MR`,
    5: patient.name,
    7: patient.dob,
    8: 'U',
    11: patient.address,
    13: patient.phone,
  });
}

function pv1(bed) {
  return seg('PV1', {
    1: '1',
    2: 'I',
    3: `WARD7^${bed}^1^WTH`,
    7: patient.doctor,
    10: 'GEN',
    18: 'IP',
    19: patient.visit,
    44: '20250301093000',
  });
}

// prt describes the device that made the observations: PRT-10 carries the
// full GS1 UDI (GTIN, manufacture date, serial), PRT-16 the GTIN alone.
function prt(gtin, made, serial) {
  return seg('PRT', {
    1: '1',
    2: 'UC',
    4: 'EQUIP^Equipment^HL70912',
    10: `(01)${gtin}(11)${made.slice(2)}(21)${serial}^${gs1}`,
    16: `${gtin}^${gs1}`,
    17: made,
    20: serial,
  });
}

// Philips monitors on WARD7 reported through their gateway (PCD-01).
const monitorEquip = 'MX800^PHILIPS^00095CFFFE070031^EUI-64';
const monitorGTIN = '09520123450014';

function monitorORU(n, time, hr, spo2, extra) {
  const id = `PHX-${String(n).padStart(4, '0')}`;
  const obx = (i, type, code, sub, value, units, range) => seg('OBX', {
    1: String(i), 2: type, 3: code, 4: sub, 5: value, 6: units, 7: range,
    11: 'R', 14: time, 18: monitorEquip,
  });
  const lines = [
    msh({
      3: 'PIC_IX^00095CFFFE070031^EUI-64', 4: 'WARD7_MON', 5: 'HL7_ENGINE', 6: 'WTH',
      7: time, 9: 'ORU^R01^ORU_R01', 10: id, 11: 'P', 12: '2.6', 15: 'NE', 16: 'AL',
      18: 'UNICODE UTF-8', 21: pcdProfile,
    }),
    pid(),
    pv1('BED12'),
    seg('OBR', {
      1: '1', 2: `${id}^PIC_IX`, 3: `${id}^PIC_IX`,
      4: '182777000^monitoring of patient^SCT', 7: time,
    }),
    seg('OBX', {
      1: '1', 3: '69965^MDC_DEV_MON_PHYSIO_MULTI_PARAM_MDS^MDC', 4: '1.0.0.0',
      11: 'X', 18: monitorEquip,
    }),
    obx(2, 'NM', '147842^MDC_ECG_HEART_RATE^MDC', '1.1.1.147842', hr,
      '264864^MDC_DIM_BEAT_PER_MIN^MDC', '50-120'),
    obx(3, 'NM', '150456^MDC_PULS_OXIM_SAT_O2^MDC', '1.1.1.150456', spo2,
      '262688^MDC_DIM_PERCENT^MDC', '90-100'),
    ...extra.map((e, i) => obx(4 + i, ...e)),
    prt(monitorGTIN, '20240115', 'LAB0042'),
  ];
  return lines.join('\r');
}

function monitorMessages() {
  return [
    monitorORU(1, '20250301101500', '72', '97', [
      ['NM', '150301^MDC_PRESS_CUFF_SYS^MDC', '1.1.1.150301', '987.65',
        '266016^MDC_DIM_MMHG^MDC', ''],
      ['NM', '150302^MDC_PRESS_CUFF_DIA^MDC', '1.1.1.150302', '78',
        '266016^MDC_DIM_MMHG^MDC', ''],
      ['NM', '150303^MDC_PRESS_CUFF_MEAN^MDC', '1.1.1.150303', '93',
        '266016^MDC_DIM_MMHG^MDC', ''],
      ['NM', '151562^MDC_RESP_RATE^MDC', '1.1.1.151562', '16',
        '264928^MDC_DIM_RESP_PER_MIN^MDC', '8-30'],
      ['NM', '150364^MDC_TEMP_BODY^MDC', '1.1.1.150364', '37.1',
        '268192^MDC_DIM_DEGC^MDC', ''],
      ['ST', 'NOTE^Nursing note^L', '1.1.1.0', 'PLANTEDNOTE-LEFTARM', '', ''],
    ]),
    monitorORU(2, '20250301101600', '74', '96', []),
    monitorORU(3, '20250301101700', '73', '97', []),
  ];
}

// B. Braun pump server reporting two Space infusion pumps (PCD-01).
const pumpGTIN = '09520123450021';

function pumpORU(n, time, pumpEUI, serial, rate, volume) {
  const id = `BBR-${String(n).padStart(4, '0')}`;
  const equip = `SPACE_INFUSOMAT^BBRAUN^${pumpEUI}^EUI-64`;
  const obx = (i, type, code, sub, value, units) => seg('OBX', {
    1: String(i), 2: type, 3: code, 4: sub, 5: value, 6: units,
    11: type ? 'R' : 'X', 14: type ? time : '', 18: equip,
  });
  return [
    msh({
      3: 'BBRAUN_OLS^001221FFFE070032^EUI-64', 4: 'WARD7_PUMPS', 5: 'HL7_ENGINE', 6: 'WTH',
      7: time, 9: 'ORU^R01^ORU_R01', 10: id, 11: 'P', 12: '2.6', 15: 'NE', 16: 'AL',
      18: 'UNICODE UTF-8', 21: pcdProfile,
    }),
    pid(),
    pv1('BED12'),
    seg('OBR', {
      1: '1', 2: `${id}^BBRAUN_OLS`, 3: `${id}^BBRAUN_OLS`,
      4: '69986^MDC_DEV_PUMP_INFUS_MDS^MDC', 7: time,
    }),
    obx(1, '', '69986^MDC_DEV_PUMP_INFUS_MDS^MDC', '1.0.0.0', '', ''),
    obx(2, '', '69985^MDC_DEV_PUMP_INFUS_VMD^MDC', '1.1.0.0', '', ''),
    obx(3, 'ST', '184326^MDC_DRUG_NAME_TYPE^MDC', '1.1.1.184326', 'PLANTEDDRUG-HEPARIN', ''),
    obx(4, 'NM', '157784^MDC_FLOW_FLUID_PUMP^MDC', '1.1.1.157784', rate,
      '265266^MDC_DIM_MILLI_L_PER_HR^MDC'),
    obx(5, 'NM', '157872^MDC_VOL_FLUID_DELIV^MDC', '1.1.1.157872', volume,
      '263762^MDC_DIM_MILLI_L^MDC'),
    prt(pumpGTIN, '20230610', serial),
  ].join('\r');
}

function pumpMessages() {
  return [
    pumpORU(1, '20250301101530', '001221FFFE0A0001', 'BBR0001', '12.5', '765.43'),
    pumpORU(2, '20250301101630', '001221FFFE0A0002', 'BBR0002', '4.2', '31.8'),
  ];
}

// PAS/EPR admissions and updates (ADT, v2.4 as NHS PAS feeds often are).
function adt(event, n, time) {
  const id = `PAS-${String(n).padStart(4, '0')}`;
  return [
    msh({
      3: 'PAS', 4: 'WTH', 5: 'HL7_ENGINE', 6: 'WTH', 7: time,
      9: `ADT^${event}^ADT_A01`, 10: id, 11: 'P', 12: '2.4', 15: 'AL', 16: 'NE',
      18: '8859/1',
    }),
    seg('EVN', { 1: event, 2: time }),
    pid(),
    seg('NK1', {
      1: '1', 2: patient.kin, 3: 'SPO^Spouse^HL70063', 5: patient.kinPhone,
    }),
    pv1('BED12'),
  ].join('\r');
}

module.exports = { adt, monitorMessages, pumpMessages };
